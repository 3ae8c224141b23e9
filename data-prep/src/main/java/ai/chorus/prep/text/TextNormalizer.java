package ai.chorus.prep.text;

import ai.chorus.prep.SampleRejectedException;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Turns a raw caption into the canonical text the tokenizer sees: Unicode normalisation, optional
 * lower-casing, every run of whitespace or control characters collapsed to one space, trimmed.
 * The result is stable: {@code normalize(normalize(x)).equals(normalize(x))}.
 *
 * <p>Immutable and thread-safe; serializable so it can travel in Spark closures.
 */
public final class TextNormalizer implements Serializable {

    public static final String STAGE = "text";
    public static final String EMPTY = "text.empty";
    public static final String INVALID_UTF8 = "text.invalid-utf8";

    /** What Spark's and the JDK's lenient decoders put where input bytes were not UTF-8. */
    static final char REPLACEMENT_CHARACTER = '\uFFFD';

    // Unicode White_Space (tabs, NBSP, ideographic space, line separators...) and C0/C1 controls such as
    // NUL: invisible separators a caption should not carry. Format characters (Cf) are kept, because the
    // zero-width joiner builds emoji sequences.
    private static final Pattern SEPARATORS = Pattern.compile("[\\p{IsWhite_Space}\\p{Cc}]+");

    private final TextOptions options;

    public TextNormalizer(TextOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    public TextOptions options() {
        return options;
    }

    /**
     * Normalises one caption.
     *
     * @throws SampleRejectedException {@code text.invalid-utf8} if the text holds U+FFFD or an unpaired
     *                                 surrogate (it was not valid UTF-8, or cannot be written as UTF-8);
     *                                 {@code text.empty} if nothing but whitespace remains
     */
    public String normalize(String raw) {
        if (raw == null) {
            throw new SampleRejectedException(STAGE, EMPTY, "caption is missing (null)");
        }
        checkEncodable(raw);

        String s = applyForm(raw);
        if (options.lowercase()) {
            String lower = s.toLowerCase(Locale.ROOT);
            // Lower-casing can leave text that is no longer in normal form (rare); normalising again keeps
            // the result idempotent.
            s = lower.equals(s) ? s : applyForm(lower);
        }
        s = SEPARATORS.matcher(s).replaceAll(" ").strip();
        if (s.isEmpty()) {
            throw new SampleRejectedException(STAGE, EMPTY, "caption is empty or only whitespace");
        }
        return s;
    }

    private String applyForm(String s) {
        return options.normalization().form().map(f -> Normalizer.normalize(s, f)).orElse(s);
    }

    private static void checkEncodable(String s) {
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == REPLACEMENT_CHARACTER) {
                throw new SampleRejectedException(STAGE, INVALID_UTF8,
                        "caption contains U+FFFD (replacement character) at char index " + i
                                + ": its source bytes were not valid UTF-8");
            }
            if (Character.isHighSurrogate(ch) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++; // a proper pair: one supplementary code point such as an emoji
            } else if (Character.isSurrogate(ch)) {
                throw new SampleRejectedException(STAGE, INVALID_UTF8, String.format(Locale.ROOT,
                        "caption contains an unpaired surrogate U+%04X at char index %d: it cannot be encoded as UTF-8",
                        (int) ch, i));
            }
        }
    }

    /**
     * Decodes caption bytes (e.g. a directory layout's {@code .txt} file) as strict UTF-8. A leading byte
     * order mark is dropped, since editors on Windows add one.
     *
     * @throws SampleRejectedException {@code text.invalid-utf8} naming the byte offset of the first
     *                                 malformed or truncated sequence
     */
    public static String decodeUtf8Strict(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        int start = bytes.length >= 3 && (bytes[0] & 0xFF) == 0xEF && (bytes[1] & 0xFF) == 0xBB
                && (bytes[2] & 0xFF) == 0xBF ? 3 : 0;
        ByteBuffer in = ByteBuffer.wrap(bytes, start, bytes.length - start);
        CharBuffer out = CharBuffer.allocate(bytes.length - start); // UTF-8 never yields more chars than bytes
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            int offset = in.position();
            int len = Math.min(result.length(), bytes.length - offset);
            StringBuilder hex = new StringBuilder();
            for (int i = offset; i < offset + len; i++) {
                hex.append(String.format(Locale.ROOT, hex.length() == 0 ? "0x%02X" : " 0x%02X", bytes[i] & 0xFF));
            }
            throw new SampleRejectedException(STAGE, INVALID_UTF8, "caption bytes are not valid UTF-8: "
                    + "malformed sequence (" + hex + ") at byte offset " + offset + " of " + bytes.length,
                    asCause(result));
        }
        if (result.isOverflow()) {
            throw new IllegalStateException("UTF-8 decoding overflowed its buffer"); // cannot happen, see above
        }
        out.flip();
        return out.toString();
    }

    private static Throwable asCause(CoderResult result) {
        try {
            result.throwException();
            return null;
        } catch (CharacterCodingException e) {
            return e;
        }
    }
}
