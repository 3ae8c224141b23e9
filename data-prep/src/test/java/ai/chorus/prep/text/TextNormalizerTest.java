package ai.chorus.prep.text;

import ai.chorus.prep.SampleRejectedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TextNormalizerTest {

    private final TextNormalizer nfkcLower = new TextNormalizer(
            new TextOptions(TextOptions.Normalization.NFKC, true, 32));
    private final TextNormalizer none = new TextNormalizer(
            new TextOptions(TextOptions.Normalization.NONE, false, 32));

    @Test
    void nfkcUnfoldsLigaturesAndFullWidthLetters() {
        assertEquals("fine", nfkcLower.normalize("\uFB01ne"));          // "ﬁ" ligature
        assertEquals("abc 123", nfkcLower.normalize("\uFF21\uFF22\uFF23 \uFF11\uFF12\uFF13")); // "ＡＢＣ １２３"
        assertEquals("xii", nfkcLower.normalize("\u216B"));             // Roman numeral Ⅻ
    }

    @Test
    void noneKeepsFormAndCase() {
        assertEquals("\uFB01ne Dog", none.normalize("\uFB01ne   Dog"));
    }

    @Test
    void nfcComposesAccents() {
        TextNormalizer nfc = new TextNormalizer(new TextOptions(TextOptions.Normalization.NFC, false, 32));
        assertEquals("caf\u00E9", nfc.normalize("cafe\u0301"));
    }

    @Test
    void lowerCasesWithRootLocale() {
        // Locale-sensitive lower-casing (Turkish) would turn I into a dotless ı.
        assertEquals("istanbul in winter", nfkcLower.normalize("ISTANBUL In Winter"));
    }

    @Test
    void collapsesWhitespaceAndControlCharactersAndTrims() {
        assertEquals("a dog on grass", nfkcLower.normalize("\t a  dog\n\non\u00A0\u3000grass\u0000 \r\n"));
        assertEquals("a b", none.normalize(" a\u2028\u0085b "));
    }

    @Test
    void keepsZeroWidthJoinerInsideEmoji() {
        String family = "\uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67"; // 👨‍👩‍👧
        assertEquals("a " + family, nfkcLower.normalize("A  " + family));
    }

    @Test
    void isIdempotent() {
        String once = nfkcLower.normalize("  \u2102af\u00C9  \uFB01  \u216B ");
        assertEquals(once, nfkcLower.normalize(once));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "\t\n \u3000", "\u0000"})
    void blankIsRejectedAsEmpty(String raw) {
        SampleRejectedException e = assertThrows(SampleRejectedException.class, () -> nfkcLower.normalize(raw));
        assertEquals("text", e.stage());
        assertEquals("text.empty", e.errorClass());
    }

    @Test
    void nullIsRejectedAsEmpty() {
        SampleRejectedException e = assertThrows(SampleRejectedException.class, () -> nfkcLower.normalize(null));
        assertEquals("text.empty", e.errorClass());
    }

    @Test
    void replacementCharacterIsRejectedAsInvalidUtf8() {
        SampleRejectedException e = assertThrows(SampleRejectedException.class,
                () -> nfkcLower.normalize("caf\uFFFD au lait"));
        assertEquals("text", e.stage());
        assertEquals("text.invalid-utf8", e.errorClass());
        assertTrue(e.getMessage().contains("index 3"), e.getMessage());
    }

    @Test
    void unpairedSurrogateIsRejectedAsInvalidUtf8() {
        SampleRejectedException e = assertThrows(SampleRejectedException.class,
                () -> none.normalize("ab\uD83D"));
        assertEquals("text.invalid-utf8", e.errorClass());
        assertTrue(e.getMessage().contains("U+D83D"), e.getMessage());
    }

    @Test
    void strictDecodingAcceptsValidUtf8AndDropsABom() {
        byte[] text = "café 🙂".getBytes(StandardCharsets.UTF_8);
        assertEquals("café 🙂", TextNormalizer.decodeUtf8Strict(text));
        byte[] withBom = new byte[text.length + 3];
        withBom[0] = (byte) 0xEF;
        withBom[1] = (byte) 0xBB;
        withBom[2] = (byte) 0xBF;
        System.arraycopy(text, 0, withBom, 3, text.length);
        assertEquals("café 🙂", TextNormalizer.decodeUtf8Strict(withBom));
        assertEquals("", TextNormalizer.decodeUtf8Strict(new byte[0]));
    }

    @Test
    void strictDecodingNamesTheOffsetOfAMalformedByte() {
        // "caf" then Latin-1 é (0xE9) followed by an ASCII space: not a UTF-8 sequence.
        byte[] latin1 = {'c', 'a', 'f', (byte) 0xE9, ' ', 'x'};
        SampleRejectedException e = assertThrows(SampleRejectedException.class,
                () -> TextNormalizer.decodeUtf8Strict(latin1));
        assertEquals("text", e.stage());
        assertEquals("text.invalid-utf8", e.errorClass());
        assertTrue(e.getMessage().contains("byte offset 3"), e.getMessage());
        assertTrue(e.getMessage().contains("0xE9"), e.getMessage());
    }

    @Test
    void strictDecodingRejectsATruncatedSequenceAtTheEnd() {
        byte[] cut = {'o', 'k', (byte) 0xF0, (byte) 0x9F, (byte) 0x99}; // first 3 of 4 bytes of 🙂
        SampleRejectedException e = assertThrows(SampleRejectedException.class,
                () -> TextNormalizer.decodeUtf8Strict(cut));
        assertTrue(e.getMessage().contains("byte offset 2"), e.getMessage());
    }

    @Test
    void strictDecodingRejectsOverlongEncodings() {
        byte[] overlongSlash = {(byte) 0xC0, (byte) 0xAF};
        SampleRejectedException e = assertThrows(SampleRejectedException.class,
                () -> TextNormalizer.decodeUtf8Strict(overlongSlash));
        assertTrue(e.getMessage().contains("byte offset 0"), e.getMessage());
    }
}
