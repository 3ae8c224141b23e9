package ai.chorus.prep.text;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BpeTokenizerTest {

    private static final String[] CAPTIONS = {
            "a photo of a dog on the grass",
            "a photo of a cat on the sofa",
            "two dogs playing in the snow",
            "a red car parked in the street",
            "the dog's ball is red",
            "café au lait with a croissant",
            "a smiling face 🙂 and a thumbs up 👍🏽",
            "日本語のテキスト and greek ελληνικά",
            "3 cats, 12 dogs and 1 bird!",
            "we'll see what they've done",
    };

    /** Word counts of the captions, computed the way the Spark job does, in plain Java. */
    static Map<String, Long> countWords(Iterable<String> captions) {
        Map<String, Long> counts = new HashMap<>();
        for (String c : captions) {
            for (String w : BpeTokenizer.preTokenize(c)) {
                counts.merge(w, 1L, Long::sum);
            }
        }
        return counts;
    }

    private static BpeTokenizer captionTokenizer(int vocabSize) {
        List<String> corpus = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            corpus.addAll(Arrays.asList(CAPTIONS));
        }
        return BpeTokenizer.train(countWords(corpus), vocabSize, 1);
    }

    @Test
    void preTokenizerKeepsTheLeadingSpaceAndSplitsLikeClip() {
        assertEquals(List.of("the", " dog", "'s", " ball", " costs", " 1", "2", " euros", "!!"),
                BpeTokenizer.preTokenize("the dog's ball costs 12 euros!!"));
        // Special-token look-alikes in a caption are ordinary text.
        assertEquals(List.of("a", " <|", "endoftext", "|>"), BpeTokenizer.preTokenize("a <|endoftext|>"));
    }

    @Test
    void firstMergesOfTheClassicExampleArePredictable() {
        // Sennrich et al. (2016): low ×5, lower ×2, newest ×6, widest ×3.
        Map<String, Long> counts = Map.of("low", 5L, "lower", 2L, "newest", 6L, "widest", 3L);
        BpeTokenizer t = BpeTokenizer.train(counts, BpeTokenizer.BASE_VOCAB_SIZE + 6, 1);
        // es/st tie at 9 → "e s" (smaller left); lo/ow tie at 7 → "l o"; e w, n e, w est tie at 6 → "e w".
        assertEquals(List.of("e s", "es t", "l o", "lo w", "e w", "ew est"), t.merges());
        assertEquals(BpeTokenizer.BASE_VOCAB_SIZE + 6, t.vocabSize());
        assertEquals("low", t.token(BpeTokenizer.BASE_VOCAB_SIZE + 3));
    }

    @Test
    void stopsEarlyWhenNoPairOccursTwice() {
        Map<String, Long> counts = Map.of("low", 5L, "lower", 2L, "newest", 6L, "widest", 3L, "zq", 1L);
        BpeTokenizer t = BpeTokenizer.train(counts, 10_000, 1);
        assertTrue(t.vocabSize() < 10_000);
        // Every word seen at least twice ends up as one token; the single "zq" stays as bytes.
        for (String w : List.of("low", "lower", "newest", "widest")) {
            assertEquals(1, t.tokenize(w).length, w);
        }
        assertEquals(2, t.tokenize("zq").length);
    }

    @Test
    void minWordFrequencyLeavesRareWordsOut() {
        Map<String, Long> counts = Map.of("low", 5L, "lower", 2L, "newest", 6L, "widest", 3L);
        BpeTokenizer t = BpeTokenizer.train(counts, 10_000, 3);
        assertEquals(1, t.tokenize("widest").length);
        assertTrue(t.tokenize("lower").length > 1, "lower (×2) must not have been learned whole");
    }

    @Test
    void incrementalTrainingMatchesABruteForceReference() {
        Random rnd = new Random(42);
        String alphabet = "aabbcdeé 🙂";
        Map<String, Long> counts = new HashMap<>();
        for (int i = 0; i < 400; i++) {
            StringBuilder w = new StringBuilder(i % 3 == 0 ? " " : "");
            int len = 1 + rnd.nextInt(8);
            for (int k = 0; k < len; k++) {
                w.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
            }
            counts.merge(w.toString(), 1L + rnd.nextInt(20), Long::sum);
        }
        int vocab = BpeTokenizer.BASE_VOCAB_SIZE + 300;
        BpeTokenizer fast = BpeTokenizer.train(counts, vocab, 1);
        List<String> reference = BruteForceBpe.merges(counts, vocab);
        assertTrue(reference.size() > 50, "the reference must learn something to compare");
        assertEquals(reference, fast.merges());
    }

    @Test
    void roundTripsUnicodeWithoutUnknownTokens() {
        BpeTokenizer t = captionTokenizer(600);
        String[] texts = {
                "a photo of a dog on the grass",
                "crème brûlée, déjà vu — naïve façade",
                "emoji 🙂👍🏽 and a family 👨\u200D👩\u200D👧 and a flag 🇫🇷",
                "中文 日本語 한국어 ελληνικά русский עברית العربية",
                "text the corpus never saw: zyxwvq ǅ ℵ ∮ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
        };
        for (String text : texts) {
            int[] ids = t.tokenize(text);
            for (int id : ids) {
                assertTrue(id >= 3 && id < t.vocabSize(), "content id out of range: " + id);
            }
            assertEquals(text, t.decode(ids));
            BpeTokenizer.Encoded e = t.encode(text, 512);
            assertEquals(text, t.decode(e.ids()));
        }
    }

    @Test
    void learnedMergesShortenFrequentText() {
        BpeTokenizer t = captionTokenizer(600);
        String text = "a photo of a dog on the grass";
        assertTrue(t.tokenize(text).length < text.getBytes(StandardCharsets.UTF_8).length / 2,
                "frequent words should become few tokens");
        assertEquals(1, t.tokenize(" photo").length);
    }

    @Test
    void specialTokenLookAlikesNeverBecomeSpecialIds() {
        BpeTokenizer t = captionTokenizer(600);
        String text = "a <|endoftext|> <end_of_text> <pad> b";
        int[] ids = t.tokenize(text);
        for (int id : ids) {
            assertTrue(id >= 3, "special id " + id + " produced from caption text");
        }
        assertEquals(text, t.decode(ids));
    }

    @Test
    void padsShortCaptions() {
        BpeTokenizer t = captionTokenizer(600);
        BpeTokenizer.Encoded e = t.encode("a dog", 16);
        int[] ids = e.ids();
        int[] content = t.tokenize("a dog");
        assertEquals(16, ids.length);
        assertEquals(t.sotId(), ids[0]);
        assertArrayEquals(content, Arrays.copyOfRange(ids, 1, 1 + content.length));
        assertEquals(t.eotId(), ids[content.length + 1]);
        assertEquals(content.length + 2, e.length());
        assertEquals(e.length(), t.length(ids));
        assertFalse(e.truncated());
        for (int i = e.length(); i < ids.length; i++) {
            assertEquals(t.padId(), ids[i]);
        }
        assertEquals(0, t.padId());
    }

    @Test
    void truncationKeepsStartAndPutsEndLast() {
        BpeTokenizer t = captionTokenizer(600);
        String text = "a photo of a dog on the grass and a cat on the sofa and a red car in the street";
        int[] content = t.tokenize(text);
        assertTrue(content.length > 10);
        BpeTokenizer.Encoded e = t.encode(text, 8);
        int[] ids = e.ids();
        assertEquals(8, ids.length);
        assertTrue(e.truncated());
        assertEquals(8, e.length());
        assertEquals(8, t.length(ids));
        assertEquals(t.sotId(), ids[0]);
        assertEquals(t.eotId(), ids[7]);
        assertArrayEquals(Arrays.copyOf(content, 6), Arrays.copyOfRange(ids, 1, 7));
    }

    @Test
    void exactFitIsNotTruncated() {
        BpeTokenizer t = captionTokenizer(600);
        String text = "two dogs playing in the snow";
        int n = t.tokenize(text).length;
        BpeTokenizer.Encoded fit = t.encode(text, n + 2);
        assertFalse(fit.truncated());
        assertEquals(t.eotId(), fit.ids()[n + 1]);
        assertTrue(t.encode(text, n + 1).truncated());
    }

    @Test
    void encodeNeedsRoomForStartAndEnd() {
        BpeTokenizer t = captionTokenizer(400);
        assertThrows(IllegalArgumentException.class, () -> t.encode("a", 1));
        BpeTokenizer.Encoded e = t.encode("a dog", 2);
        assertArrayEquals(new int[]{t.sotId(), t.eotId()}, e.ids());
        assertTrue(e.truncated());
    }

    @Test
    void sameCountsInAnyOrderGiveTheSameTokenizer() {
        Map<String, Long> counts = countWords(Arrays.asList(CAPTIONS));
        List<Map.Entry<String, Long>> entries = new ArrayList<>(counts.entrySet());
        Map<String, Long> sorted = new TreeMap<>(counts);
        Map<String, Long> reversed = new LinkedHashMap<>();
        for (int i = entries.size() - 1; i >= 0; i--) {
            reversed.put(entries.get(i).getKey(), entries.get(i).getValue());
        }
        BpeTokenizer a = BpeTokenizer.train(counts, 500, 1);
        BpeTokenizer b = BpeTokenizer.train(sorted, 500, 1);
        BpeTokenizer c = BpeTokenizer.train(reversed, 500, 1);
        assertEquals(a.toJson(), b.toJson());
        assertEquals(a.toJson(), c.toJson());
        assertEquals(a.sha256(), c.sha256());
        assertEquals(64, a.sha256().length());
        // A different vocabulary is a different hash.
        assertTrue(a.vocabSize() > 270);
        assertNotEquals(a.sha256(), BpeTokenizer.train(counts, 270, 1).sha256());
    }

    @Test
    void jsonRoundTripGivesIdenticalIds() throws Exception {
        BpeTokenizer t = captionTokenizer(600);
        String json = t.toJson();
        BpeTokenizer back = BpeTokenizer.fromJson(json);
        assertEquals(t, back);
        assertEquals(json, back.toJson());
        assertEquals(t.sha256(), back.sha256());
        for (String c : CAPTIONS) {
            assertArrayEquals(t.encode(c, 32).ids(), back.encode(c, 32).ids(), c);
        }
        // The hash is of the model, not of the file's layout: a pretty-printed file reads back the same.
        ObjectMapper m = new ObjectMapper();
        String pretty = m.writerWithDefaultPrettyPrinter().writeValueAsString(m.readTree(json));
        assertEquals(t.sha256(), BpeTokenizer.fromJson(pretty).sha256());
    }

    @Test
    void jsonHasTheDocumentedShape() throws Exception {
        BpeTokenizer t = BpeTokenizer.train(Map.of("low", 5L, "lower", 2L, "newest", 6L, "widest", 3L), 262, 1);
        var root = new ObjectMapper().readTree(t.toJson());
        assertEquals("byte-level-bpe", root.get("type").asText());
        assertEquals(1, root.get("version").asInt());
        assertEquals("<pad>", root.get("special_tokens").get(0).get("content").asText());
        assertEquals(0, root.get("special_tokens").get(0).get("id").asInt());
        assertEquals(2, root.get("special_tokens").get(2).get("id").asInt());
        assertEquals(3 + ' ', root.get("vocab").get("Ġ").asInt(), "a space byte is Ġ");
        assertEquals(259, root.get("vocab").get("es").asInt());
        assertEquals("e s", root.get("merges").get(0).asText());
        assertEquals(3, root.get("merges").size());
    }

    @Test
    void rejectsJsonThatIsNotThisFormat() {
        BpeTokenizer t = captionTokenizer(400);
        String json = t.toJson();
        assertThrows(IllegalArgumentException.class, () -> BpeTokenizer.fromJson("{\"type\":\"wordpiece\"}"));
        assertThrows(IllegalArgumentException.class, () -> BpeTokenizer.fromJson("not json"));
        IllegalArgumentException badVersion = assertThrows(IllegalArgumentException.class,
                () -> BpeTokenizer.fromJson(json.replace("\"version\":1", "\"version\":2")));
        assertTrue(badVersion.getMessage().contains("version"), badVersion.getMessage());
        String firstMerge = t.merges().get(0);
        IllegalArgumentException badMerge = assertThrows(IllegalArgumentException.class,
                () -> BpeTokenizer.fromJson(json.replace("\"" + firstMerge + "\"", "\"" + firstMerge.replace(" ", "") + "\"")));
        assertTrue(badMerge.getMessage().contains("merge"), badMerge.getMessage());
    }

    @Test
    void untrainedTokenizerIsPureBytes() {
        BpeTokenizer t = BpeTokenizer.train(Map.of(), 8192, 1);
        assertEquals(BpeTokenizer.BASE_VOCAB_SIZE, t.vocabSize());
        assertEquals(0, t.mergeCount());
        String text = "héllo 🙂";
        int[] ids = t.tokenize(text);
        assertEquals(text.getBytes(StandardCharsets.UTF_8).length, ids.length);
        assertEquals(text, t.decode(ids));
    }

    @Test
    void rejectsAVocabularyTooSmallForTheBytes() {
        assertThrows(IllegalArgumentException.class, () -> BpeTokenizer.train(Map.of("a", 1L), 258, 1));
    }

    @Test
    void isSerializableForSparkClosures() throws Exception {
        BpeTokenizer t = captionTokenizer(500);
        var bytes = new java.io.ByteArrayOutputStream();
        try (var out = new java.io.ObjectOutputStream(bytes)) {
            out.writeObject(t);
        }
        try (var in = new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
            BpeTokenizer back = (BpeTokenizer) in.readObject();
            assertArrayEquals(t.encode(CAPTIONS[0], 16).ids(), back.encode(CAPTIONS[0], 16).ids());
        }
    }

    /**
     * The textbook algorithm, recounting every pair at every step: slow, obviously right, and the
     * reference the incremental trainer must agree with (same tie-breaking, same id reuse).
     */
    static final class BruteForceBpe {
        static List<String> merges(Map<String, Long> counts, int vocabSize) {
            List<List<String>> words = new ArrayList<>();
            List<Long> freq = new ArrayList<>();
            Set<String> vocab = new HashSet<>();
            for (int b = 0; b < 256; b++) {
                vocab.add(String.valueOf(ByteLevel.byteChar(b)));
            }
            for (Map.Entry<String, Long> e : new TreeMap<>(counts).entrySet()) {
                List<String> symbols = new ArrayList<>();
                for (byte b : e.getKey().getBytes(StandardCharsets.UTF_8)) {
                    symbols.add(String.valueOf(ByteLevel.byteChar(b & 0xFF)));
                }
                words.add(symbols);
                freq.add(e.getValue());
            }
            List<String> merges = new ArrayList<>();
            while (vocab.size() + 3 < vocabSize) {
                Map<List<String>, Long> pairs = new HashMap<>();
                for (int w = 0; w < words.size(); w++) {
                    List<String> s = words.get(w);
                    for (int i = 0; i + 1 < s.size(); i++) {
                        pairs.merge(List.of(s.get(i), s.get(i + 1)), freq.get(w), Long::sum);
                    }
                }
                List<String> best = null;
                long bestCount = 1;
                for (Map.Entry<List<String>, Long> p : pairs.entrySet()) {
                    List<String> k = p.getKey();
                    long c = p.getValue();
                    if (c > bestCount || (c == bestCount && best != null && (k.get(0).compareTo(best.get(0)) < 0
                            || (k.get(0).equals(best.get(0)) && k.get(1).compareTo(best.get(1)) < 0)))) {
                        best = k;
                        bestCount = c;
                    }
                }
                if (best == null) {
                    break;
                }
                String line = best.get(0) + " " + best.get(1);
                if (!merges.contains(line)) {
                    merges.add(line);
                }
                String joined = best.get(0) + best.get(1);
                vocab.add(joined);
                for (List<String> s : words) {
                    for (int i = 0; i + 1 < s.size(); i++) {
                        if (s.get(i).equals(best.get(0)) && s.get(i + 1).equals(best.get(1))) {
                            s.set(i, joined);
                            s.remove(i + 1);
                        }
                    }
                }
            }
            return merges;
        }
    }
}
