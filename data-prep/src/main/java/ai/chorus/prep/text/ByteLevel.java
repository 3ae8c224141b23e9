package ai.chorus.prep.text;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The two fixed parts of byte-level BPE: splitting text into words, and GPT-2's reversible map from
 * the 256 byte values to printable characters (so that every token is a readable string without
 * spaces or control characters, and no text ever needs an unknown token).
 */
final class ByteLevel {

    /**
     * CLIP's pre-tokeniser adapted to Java, with GPT-2's word-boundary convention: a word keeps the one
     * space in front of it (" dog"), instead of CLIP's {@code </w>} after it, so that decoding gives the
     * normalised text back exactly. Differences from CLIP, on purpose:
     * <ul>
     *   <li>no {@code <|startoftext|>}/{@code <|endoftext|>} alternatives: captions are untrusted text, and a
     *       caption that happens to contain such a string must not end its own sequence;</li>
     *   <li>combining marks ({@code \p{M}}) count as letters, so words stay whole under NFD/NFKD;</li>
     *   <li>contractions ({@code 's}, {@code 'll}...) match in any case, as CLIP's {@code re.IGNORECASE}.</li>
     * </ul>
     * Every character that is not whitespace falls in exactly one class, so nothing but whitespace is lost.
     */
    static final String PRE_TOKENIZER_REGEX =
            "'s|'t|'re|'ve|'m|'ll|'d| ?[\\p{L}\\p{M}]+| ?\\p{N}| ?[^\\s\\p{L}\\p{M}\\p{N}]+";

    private static final Pattern PRE_TOKENIZER = Pattern.compile(PRE_TOKENIZER_REGEX,
            Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CHARACTER_CLASS);

    /** byte value → printable character, as GPT-2's {@code bytes_to_unicode}. */
    private static final char[] BYTE_TO_CHAR = new char[256];
    /** printable character → byte value, -1 where a character is not a byte symbol. */
    private static final int[] CHAR_TO_BYTE = new int[512];

    static {
        java.util.Arrays.fill(CHAR_TO_BYTE, -1);
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = (char) (printable ? b : next++);
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
    }

    private ByteLevel() {
    }

    /** Splits text into the words BPE works within; whitespace other than a word's leading space is dropped. */
    static List<String> preTokenize(String text) {
        List<String> words = new ArrayList<>();
        Matcher m = PRE_TOKENIZER.matcher(text);
        while (m.find()) {
            words.add(m.group());
        }
        return words;
    }

    static char byteChar(int unsignedByte) {
        return BYTE_TO_CHAR[unsignedByte];
    }

    /** The byte behind a byte symbol, or -1 if {@code c} is not one. */
    static int charByte(char c) {
        return c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
    }

    /** The UTF-8 bytes of a word as byte-symbol ids (offset by the number of special tokens). */
    static int[] byteSymbols(String word, int firstByteId) {
        byte[] bytes = word.getBytes(StandardCharsets.UTF_8);
        int[] ids = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            ids[i] = firstByteId + (bytes[i] & 0xFF);
        }
        return ids;
    }
}
