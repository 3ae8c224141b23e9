package ai.chorus.prep.text;

import ai.chorus.config.ConfigValues;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;

import java.io.Serializable;
import java.text.Normalizer;
import java.util.Locale;
import java.util.Optional;

/**
 * Caption text settings, the {@code chorus.prep.text} section of the configuration.
 *
 * @param normalization Unicode normalisation applied to every caption before anything else
 * @param lowercase     whether captions are lower-cased (with {@link Locale#ROOT})
 * @param maxLength     token ids per caption, start and end tokens included; at least 3 so that a caption
 *                      keeps at least one token of its own
 */
public record TextOptions(Normalization normalization, boolean lowercase, int maxLength) implements Serializable {

    /** Where the section lives in the Chorus configuration. */
    public static final String PATH = "chorus.prep.text";

    /** Smallest useful {@code max-length}: start token, one caption token, end token. */
    public static final int MIN_MAX_LENGTH = 3;

    /** Unicode normalisation forms, plus {@link #NONE}; {@link Normalizer.Form} itself has no "off" value. */
    public enum Normalization {
        NFC(Normalizer.Form.NFC),
        NFKC(Normalizer.Form.NFKC),
        NFD(Normalizer.Form.NFD),
        NFKD(Normalizer.Form.NFKD),
        NONE(null);

        private final Normalizer.Form form;

        Normalization(Normalizer.Form form) {
            this.form = form;
        }

        /** The JDK form, or empty for {@link #NONE}. */
        public Optional<Normalizer.Form> form() {
            return Optional.ofNullable(form);
        }
    }

    public TextOptions {
        if (normalization == null) {
            throw new IllegalArgumentException("normalization must not be null (use Normalization.NONE)");
        }
        if (maxLength < MIN_MAX_LENGTH) {
            throw new IllegalArgumentException("maxLength must be >= " + MIN_MAX_LENGTH + ", was " + maxLength);
        }
    }

    /**
     * Reads the {@code chorus.prep.text} section of a resolved configuration.
     *
     * @throws ConfigException.Missing   if a key is absent
     * @throws ConfigException.WrongType if a value has the wrong type
     * @throws ConfigException.BadValue  if {@code normalization} is not one of NFC|NFKC|NFD|NFKD|none, or
     *                                   {@code max-length} is below 3
     */
    public static TextOptions fromConfig(Config c) {
        return fromConfig(c, PATH);
    }

    /** As {@link #fromConfig(Config)}, for a section elsewhere; error messages name {@code path}'s keys. */
    public static TextOptions fromConfig(Config c, String path) {
        Config section = c.getConfig(path);

        Normalization normalization = ConfigValues.oneOf(c, path + ".normalization", Normalization.class,
                n -> n.name().toLowerCase(Locale.ROOT));
        boolean lowercase = c.getBoolean(path + ".lowercase");
        // Start token + at least one caption token + end token.
        int maxLength = ConfigValues.intAtLeast(c, path + ".max-length", MIN_MAX_LENGTH);
        return new TextOptions(normalization, lowercase, maxLength);
    }
}
