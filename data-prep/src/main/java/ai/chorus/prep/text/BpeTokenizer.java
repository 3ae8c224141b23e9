package ai.chorus.prep.text;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.Serializable;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Byte-level BPE tokenizer in the manner of GPT-2 and CLIP, learned from the corpus.
 *
 * <p><b>How text becomes ids.</b> Text (already through {@link TextNormalizer}) is split into words by
 * {@link #preTokenize(String)}: CLIP's pattern, with GPT-2's convention that a word carries the single
 * space in front of it (" dog"; the first word of a caption has none), instead of CLIP's {@code </w>}
 * suffix. Each word's UTF-8 bytes become byte symbols, then merges are applied lowest rank first, as
 * they were learned. Every byte has a symbol, so there is no unknown token and decoding gives the
 * normalised text back exactly.
 *
 * <p><b>Ids.</b> 0 {@code <pad>}, 1 {@code <start_of_text>}, 2 {@code <end_of_text>}; 3–258 the bytes
 * 0x00–0xFF in order; then one id per distinct merge result, in the order merges were learned. Special
 * tokens live apart from the byte/merge vocabulary: no caption text can produce them.
 *
 * <p><b>File format</b> ({@link #toJson()}, version 1), close to the model section of a HuggingFace
 * {@code tokenizer.json}:
 * <pre>{"type":"byte-level-bpe","version":1,"pre_tokenizer":"&lt;regex&gt;",
 *  "special_tokens":[{"id":0,"content":"&lt;pad&gt;"},...],
 *  "vocab":{"!":3,...,"Ġt":259,...},
 *  "merges":["Ġ t","h e",...]}</pre>
 * Token strings use GPT-2's byte-to-character map (a space is {@code Ġ}), so a merge line splits
 * unambiguously at its one space. Vocab entries are written in id order, merges in rank order.
 *
 * <p>Immutable; {@link #encode} and {@link #decode} are thread-safe.
 */
public final class BpeTokenizer implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final String TYPE = "byte-level-bpe";
    public static final int FORMAT_VERSION = 1;

    public static final String PAD = "<pad>";
    public static final String START_OF_TEXT = "<start_of_text>";
    public static final String END_OF_TEXT = "<end_of_text>";
    static final List<String> SPECIALS = List.of(PAD, START_OF_TEXT, END_OF_TEXT);

    public static final int PAD_ID = 0;
    public static final int SOT_ID = 1;
    public static final int EOT_ID = 2;
    /** Id of the byte 0x00; byte {@code b} is {@code FIRST_BYTE_ID + b}. */
    static final int FIRST_BYTE_ID = SPECIALS.size();
    /** Specials and byte symbols: the vocabulary before any merge. */
    public static final int BASE_VOCAB_SIZE = FIRST_BYTE_ID + 256;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** id → token string; specials first. */
    private final String[] tokens;
    /** Merge of rank r: {@code mergeLeft[r] mergeRight[r] → mergeResult[r]}. */
    private final int[] mergeLeft;
    private final int[] mergeRight;
    private final int[] mergeResult;
    /** (left, right) packed as a long → rank; derived from the merge arrays. */
    private final PairRankMap rankOfPair;

    /** The returned ids, the number of them that are not padding, and whether the text was cut. */
    public record Encoded(int[] ids, int length, boolean truncated) {
        public Encoded {
            ids = ids.clone();
        }

        @Override
        public int[] ids() {
            return ids.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Encoded e && length == e.length && truncated == e.truncated && Arrays.equals(ids, e.ids);
        }

        @Override
        public int hashCode() {
            return 31 * (31 * Arrays.hashCode(ids) + length) + Boolean.hashCode(truncated);
        }

        @Override
        public String toString() {
            return "Encoded[ids=" + Arrays.toString(ids) + ", length=" + length + ", truncated=" + truncated + "]";
        }
    }

    /**
     * @param tokens all tokens by id: the specials, the 256 byte symbols, then merge results
     * @param merges per rank {left id, right id, result id}
     */
    BpeTokenizer(List<String> tokens, List<int[]> merges) {
        this.tokens = tokens.toArray(new String[0]);
        int n = merges.size();
        this.mergeLeft = new int[n];
        this.mergeRight = new int[n];
        this.mergeResult = new int[n];
        Map<Long, Integer> firstRank = new HashMap<>(n * 2);
        long[] packed = new long[n];
        checkBase(this.tokens);
        for (int r = 0; r < n; r++) {
            int[] m = merges.get(r);
            for (int id : m) {
                if (id < FIRST_BYTE_ID || id >= this.tokens.length) {
                    throw new IllegalArgumentException("merge " + r + " refers to id " + id
                            + ", outside the byte/merge vocabulary [" + FIRST_BYTE_ID + ", " + this.tokens.length + ")");
                }
            }
            if (!this.tokens[m[2]].equals(this.tokens[m[0]] + this.tokens[m[1]])) {
                throw new IllegalArgumentException("merge " + r + " '" + this.tokens[m[0]] + " " + this.tokens[m[1]]
                        + "' does not produce token " + m[2] + " '" + this.tokens[m[2]] + "'");
            }
            packed[r] = pair(m[0], m[1]);
            if (firstRank.putIfAbsent(packed[r], r) != null) {
                throw new IllegalArgumentException("merge " + r + " '" + this.tokens[m[0]] + " " + this.tokens[m[1]]
                        + "' appears twice");
            }
            mergeLeft[r] = m[0];
            mergeRight[r] = m[1];
            mergeResult[r] = m[2];
        }
        this.rankOfPair = new PairRankMap(packed);
    }

    private static void checkBase(String[] tokens) {
        if (tokens.length < BASE_VOCAB_SIZE) {
            throw new IllegalArgumentException("vocabulary has " + tokens.length + " tokens, fewer than the "
                    + BASE_VOCAB_SIZE + " specials and byte symbols");
        }
        for (int i = 0; i < FIRST_BYTE_ID; i++) {
            if (!SPECIALS.get(i).equals(tokens[i])) {
                throw new IllegalArgumentException("id " + i + " must be " + SPECIALS.get(i) + " but is " + tokens[i]);
            }
        }
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = FIRST_BYTE_ID; i < tokens.length; i++) {
            if (tokens[i] == null || tokens[i].isEmpty() || !seen.add(tokens[i])) {
                throw new IllegalArgumentException("token " + i + " '" + tokens[i] + "' is empty or a duplicate");
            }
            // Only byte symbols can be decoded back to bytes.
            if (tokens[i].chars().anyMatch(ch -> ByteLevel.charByte((char) ch) < 0)) {
                throw new IllegalArgumentException("token " + i + " '" + tokens[i] + "' holds a character that is not a byte symbol");
            }
        }
        for (int b = 0; b < 256; b++) {
            String expected = String.valueOf(ByteLevel.byteChar(b));
            if (!expected.equals(tokens[FIRST_BYTE_ID + b])) {
                throw new IllegalArgumentException("id " + (FIRST_BYTE_ID + b) + " must be the byte symbol '"
                        + expected + "' (0x" + Integer.toHexString(b) + ") but is '" + tokens[FIRST_BYTE_ID + b] + "'");
            }
        }
    }

    static long pair(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    /**
     * Learns a tokenizer from word counts; see {@link BpeTrainer} for the algorithm and tie-breaking.
     *
     * @param wordCounts       words as produced by {@link #preTokenize(String)} → occurrences in the corpus
     * @param vocabSize        wanted vocabulary size, specials and 256 byte symbols included (at least 259);
     *                         learning stops earlier when no pair occurs twice, and {@link #vocabSize()}
     *                         then reports the smaller size actually reached
     * @param minWordFrequency words seen fewer times do not take part (they still encode, byte by byte)
     */
    public static BpeTokenizer train(Map<String, Long> wordCounts, int vocabSize, int minWordFrequency) {
        return BpeTrainer.train(wordCounts, vocabSize, minWordFrequency);
    }

    /** The words BPE works within: the pre-tokeniser shared by training and encoding. */
    public static List<String> preTokenize(String normalizedText) {
        return ByteLevel.preTokenize(normalizedText);
    }

    /** Caption ids without special tokens or padding. */
    public int[] tokenize(String normalizedText) {
        return tokenize(normalizedText, Integer.MAX_VALUE);
    }

    /** Tokenizes until at least {@code limit} ids are found (a bound on work for long texts). */
    private int[] tokenize(String text, int limit) {
        IntBuffer out = new IntBuffer(32);
        for (String word : ByteLevel.preTokenize(text)) {
            int[] symbols = ByteLevel.byteSymbols(word, FIRST_BYTE_ID);
            int n = applyMerges(symbols);
            out.addAll(symbols, n);
            if (out.size >= limit) {
                break;
            }
        }
        return out.toArray();
    }

    /** Merges in place, lowest rank first, as training applied them; returns the new length. */
    private int applyMerges(int[] s) {
        int n = s.length;
        while (n > 1) {
            int best = Integer.MAX_VALUE;
            for (int i = 0; i + 1 < n; i++) {
                int r = rankOfPair.get(pair(s[i], s[i + 1]));
                if (r != PairRankMap.ABSENT && r < best) {
                    best = r;
                }
            }
            if (best == Integer.MAX_VALUE) {
                break;
            }
            int left = mergeLeft[best];
            int right = mergeRight[best];
            int j = 0;
            for (int i = 0; i < n; ) {
                if (i + 1 < n && s[i] == left && s[i + 1] == right) {
                    s[j++] = mergeResult[best];
                    i += 2;
                } else {
                    s[j++] = s[i++];
                }
            }
            n = j;
        }
        return n;
    }

    /**
     * Encodes one caption to exactly {@code maxLength} ids: {@code <start_of_text>}, the caption's ids,
     * {@code <end_of_text>}, then {@code <pad>} (0). A caption that does not fit is cut so that
     * {@code <end_of_text>} still ends it, at index {@code maxLength - 1}.
     *
     * @param maxLength at least 2 (start and end tokens)
     */
    public Encoded encode(String normalizedText, int maxLength) {
        if (maxLength < 2) {
            throw new IllegalArgumentException("maxLength must be >= 2 (start and end tokens), was " + maxLength);
        }
        int room = maxLength - 2;
        // One more than fits is enough to know the caption was cut.
        int[] content = tokenize(normalizedText, room + 1);
        boolean truncated = content.length > room;
        int n = Math.min(content.length, room);
        int[] ids = new int[maxLength]; // zeros: PAD_ID
        ids[0] = SOT_ID;
        System.arraycopy(content, 0, ids, 1, n);
        ids[n + 1] = EOT_ID;
        return new Encoded(ids, n + 2, truncated);
    }

    /** Number of ids before the padding: up to and including the first {@code <end_of_text>}. */
    public int length(int[] ids) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == EOT_ID) {
                return i + 1;
            }
            if (ids[i] == PAD_ID) {
                return i;
            }
        }
        return ids.length;
    }

    /**
     * Text of the given ids, special tokens skipped. Bytes that do not form whole UTF-8 characters (an id
     * sequence cut inside a character) decode to U+FFFD.
     */
    public String decode(int[] ids) {
        byte[] bytes = new byte[ids.length * 4];
        int n = 0;
        for (int id : ids) {
            if (id < 0 || id >= tokens.length) {
                throw new IllegalArgumentException("id " + id + " is outside the vocabulary [0, " + tokens.length + ")");
            }
            if (id < FIRST_BYTE_ID) {
                continue;
            }
            String t = tokens[id];
            if (n + t.length() > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, n + t.length()));
            }
            for (int i = 0; i < t.length(); i++) {
                bytes[n++] = (byte) ByteLevel.charByte(t.charAt(i));
            }
        }
        return new String(bytes, 0, n, StandardCharsets.UTF_8);
    }

    /** Tokens, specials included; may be smaller than the size asked for in training. */
    public int vocabSize() {
        return tokens.length;
    }

    public int padId() {
        return PAD_ID;
    }

    public int sotId() {
        return SOT_ID;
    }

    public int eotId() {
        return EOT_ID;
    }

    /** The token string of an id (byte symbols in GPT-2's printable form, e.g. {@code Ġdog}). */
    public String token(int id) {
        return tokens[id];
    }

    public int mergeCount() {
        return mergeLeft.length;
    }

    /** Merges in rank order, each as {@code "left right"}. */
    public List<String> merges() {
        List<String> out = new ArrayList<>(mergeLeft.length);
        for (int r = 0; r < mergeLeft.length; r++) {
            out.add(tokens[mergeLeft[r]] + " " + tokens[mergeRight[r]]);
        }
        return Collections.unmodifiableList(out);
    }

    /** The canonical JSON (see the class comment): same tokenizer, same characters. */
    public String toJson() {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = new JsonFactory().createGenerator(w)) {
            g.writeStartObject();
            g.writeStringField("type", TYPE);
            g.writeNumberField("version", FORMAT_VERSION);
            g.writeStringField("pre_tokenizer", ByteLevel.PRE_TOKENIZER_REGEX);
            g.writeArrayFieldStart("special_tokens");
            for (int i = 0; i < FIRST_BYTE_ID; i++) {
                g.writeStartObject();
                g.writeNumberField("id", i);
                g.writeStringField("content", tokens[i]);
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeObjectFieldStart("vocab");
            for (int i = FIRST_BYTE_ID; i < tokens.length; i++) {
                g.writeNumberField(tokens[i], i);
            }
            g.writeEndObject();
            g.writeArrayFieldStart("merges");
            for (String m : merges()) {
                g.writeString(m);
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return w.toString();
    }

    /** Lower-case hex SHA-256 of {@link #toJson()}'s UTF-8 bytes: identifies the tokenizer in dataset.json. */
    public String sha256() {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(toJson().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /**
     * Reads the format written by {@link #toJson()} (any whitespace or key order).
     *
     * @throws IllegalArgumentException naming what is wrong, if the JSON is not a version-1 byte-level BPE
     *                                  tokenizer or is inconsistent
     */
    public static BpeTokenizer fromJson(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("tokenizer JSON does not parse: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("tokenizer JSON must be an object");
        }
        if (!TYPE.equals(root.path("type").asText(null))) {
            throw new IllegalArgumentException("tokenizer type must be '" + TYPE + "' but is " + root.get("type"));
        }
        if (root.path("version").asInt(-1) != FORMAT_VERSION) {
            throw new IllegalArgumentException("tokenizer version must be " + FORMAT_VERSION + " but is " + root.get("version"));
        }
        if (!ByteLevel.PRE_TOKENIZER_REGEX.equals(root.path("pre_tokenizer").asText(null))) {
            throw new IllegalArgumentException("tokenizer was made with another pre-tokenizer: "
                    + root.get("pre_tokenizer") + "; this build uses " + ByteLevel.PRE_TOKENIZER_REGEX);
        }

        JsonNode vocab = root.path("vocab");
        JsonNode specials = root.path("special_tokens");
        if (!vocab.isObject() || !specials.isArray()) {
            throw new IllegalArgumentException("tokenizer JSON needs a 'vocab' object and a 'special_tokens' array");
        }
        int size = specials.size() + vocab.size();
        String[] byId = new String[size];
        for (JsonNode s : specials) {
            place(byId, s.path("id"), s.path("content").asText(null), "special token");
        }
        Map<String, Integer> idOf = new HashMap<>(vocab.size() * 2);
        for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            int id = place(byId, e.getValue(), e.getKey(), "vocab entry");
            if (id < FIRST_BYTE_ID) {
                throw new IllegalArgumentException("vocab entry '" + e.getKey() + "' uses special id " + id);
            }
            idOf.put(e.getKey(), id);
        }

        JsonNode mergesNode = root.path("merges");
        if (!mergesNode.isArray()) {
            throw new IllegalArgumentException("tokenizer JSON needs a 'merges' array");
        }
        List<int[]> merges = new ArrayList<>(mergesNode.size());
        for (JsonNode m : mergesNode) {
            String line = m.asText("");
            String[] parts = line.split(" ", -1);
            if (parts.length != 2) {
                throw new IllegalArgumentException("merge '" + line + "' must be two tokens separated by one space");
            }
            Integer l = idOf.get(parts[0]);
            Integer r = idOf.get(parts[1]);
            Integer res = idOf.get(parts[0] + parts[1]);
            if (l == null || r == null || res == null) {
                throw new IllegalArgumentException("merge '" + line + "' uses or makes a token missing from the vocab");
            }
            merges.add(new int[]{l, r, res});
        }
        return new BpeTokenizer(Arrays.asList(byId), merges);
    }

    private static int place(String[] byId, JsonNode idNode, String token, String what) {
        if (token == null || !idNode.canConvertToInt()) {
            throw new IllegalArgumentException(what + " needs a string and an integer id: " + token + " → " + idNode);
        }
        int id = idNode.asInt();
        if (id < 0 || id >= byId.length) {
            throw new IllegalArgumentException(what + " '" + token + "' has id " + id
                    + "; ids must run from 0 to " + (byId.length - 1) + " without gaps");
        }
        if (byId[id] != null) {
            throw new IllegalArgumentException(what + " '" + token + "' reuses id " + id + " of '" + byId[id] + "'");
        }
        byId[id] = token;
        return id;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BpeTokenizer t && Arrays.equals(tokens, t.tokens) && Arrays.equals(mergeLeft, t.mergeLeft)
                && Arrays.equals(mergeRight, t.mergeRight) && Arrays.equals(mergeResult, t.mergeResult);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(tokens), Arrays.hashCode(mergeLeft), Arrays.hashCode(mergeRight));
    }

    @Override
    public String toString() {
        return "BpeTokenizer[vocabSize=" + tokens.length + ", merges=" + mergeLeft.length + "]";
    }

    /** Growable int array, to avoid boxing ids. */
    static final class IntBuffer {
        int[] a;
        int size;

        IntBuffer(int capacity) {
            a = new int[Math.max(1, capacity)];
        }

        void add(int v) {
            if (size == a.length) {
                a = Arrays.copyOf(a, size * 2);
            }
            a[size++] = v;
        }

        void addAll(int[] values, int n) {
            if (size + n > a.length) {
                a = Arrays.copyOf(a, Math.max(a.length * 2, size + n));
            }
            System.arraycopy(values, 0, a, size, n);
            size += n;
        }

        int[] toArray() {
            return Arrays.copyOf(a, size);
        }
    }
}
