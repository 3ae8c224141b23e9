package ai.chorus.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads one validated value from a Typesafe {@link Config}. Every failure, a wrong type included, is a
 * {@link ConfigException.BadValue} that names the full key and says what was expected, so a user can fix
 * the file from the message alone. Shared by every options class of data-prep.
 */
public final class ConfigValues {
    private static final Pattern COLOR = Pattern.compile("#[0-9a-fA-F]{6}");

    private ConfigValues() {
    }

    public static int intBetween(Config c, String key, int min, int max) {
        int v = read(c, key, Config::getInt, "an integer");
        return check(c, key, v, v >= min && v <= max, "an integer between " + min + " and " + max);
    }

    public static int intAtLeast(Config c, String key, int min) {
        int v = read(c, key, Config::getInt, "an integer");
        return check(c, key, v, v >= min, "an integer of at least " + min);
    }

    public static long longAtLeast(Config c, String key, long min) {
        long v = read(c, key, Config::getLong, "an integer");
        return check(c, key, v, v >= min, "an integer of at least " + min);
    }

    public static double doubleBetween(Config c, String key, double min, double max) {
        double v = read(c, key, Config::getDouble, "a number");
        return check(c, key, v, v >= min && v <= max, "a number between " + min + " and " + max);
    }

    public static double positiveDouble(Config c, String key) {
        double v = read(c, key, Config::getDouble, "a number");
        return check(c, key, v, v > 0 && Double.isFinite(v), "a positive number");
    }

    /** A {@code #rrggbb} colour as a 24-bit RGB int. */
    public static int rgbColor(Config c, String key) {
        String v = read(c, key, Config::getString, "a colour like #rrggbb");
        check(c, key, v, COLOR.matcher(v).matches(), "a colour like #rrggbb");
        return Integer.parseInt(v.substring(1), 16);
    }

    /** An enum constant given by its {@code name} spelling (e.g. {@code keep-ratio}). */
    public static <E extends Enum<E>> E oneOf(Config c, String key, Class<E> type, Function<E, String> name) {
        String v = read(c, key, Config::getString, "a string").trim().toLowerCase(Locale.ROOT);
        for (E e : type.getEnumConstants()) {
            if (name.apply(e).equals(v)) {
                return e;
            }
        }
        String allowed = Arrays.stream(type.getEnumConstants()).map(name).collect(Collectors.joining(", "));
        throw bad(c, key, "expected one of " + allowed + ", got '" + v + "'");
    }

    /** A required, non-blank string; "is not set" names the key and how to set it. */
    public static String requiredString(Config c, String key, String expected) {
        if (!c.hasPath(key)) {
            throw bad(c, key, "is not set: expected " + expected + " (set it in a conf file or pass " + key
                    + "=... on the command line)");
        }
        String v = read(c, key, Config::getString, expected);
        return check(c, key, v, !v.isBlank(), expected);
    }

    /** An optional string: null when the key holds null or is absent. */
    public static String optionalString(Config c, String key) {
        return c.hasPath(key) ? read(c, key, Config::getString, "a string") : null;
    }

    private interface Getter<T> {
        T get(Config c, String key);
    }

    private static <T> T read(Config c, String key, Getter<T> getter, String expected) {
        try {
            return getter.get(c, key);
        } catch (ConfigException.WrongType | ConfigException.Null e) {
            throw bad(c, key, "expected " + expected + " (" + e.getMessage() + ")");
        }
    }

    private static <T> T check(Config c, String key, T value, boolean ok, String expected) {
        if (!ok) {
            throw bad(c, key, "expected " + expected + ", got " + value);
        }
        return value;
    }

    /** The error for a key whose value is wrong: names the key, its file and line, and {@code message}. */
    public static ConfigException.BadValue bad(Config c, String key, String message) {
        return c.hasPathOrNull(key) && !c.getIsNull(key)
                ? new ConfigException.BadValue(c.getValue(key).origin(), key, message)
                : new ConfigException.BadValue(key, message);
    }
}
