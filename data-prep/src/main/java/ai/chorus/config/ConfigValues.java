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
 * the file from the message alone. Shared by the options classes.
 */
public final class ConfigValues {
    private static final Pattern COLOR = Pattern.compile("#[0-9a-fA-F]{6}");

    private ConfigValues() {
    }

    public static int intBetween(Config c, String key, int min, int max) {
        int v = read(c, key, Config::getInt, "an integer");
        return check(c, key, v, v >= min && v <= max, "an integer between " + min + " and " + max);
    }

    public static long longAtLeast(Config c, String key, long min) {
        long v = read(c, key, Config::getLong, "an integer");
        return check(c, key, v, v >= min, "an integer of at least " + min);
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

    private static ConfigException.BadValue bad(Config c, String key, String message) {
        return c.hasPathOrNull(key) && !c.getIsNull(key)
                ? new ConfigException.BadValue(c.getValue(key).origin(), key, message)
                : new ConfigException.BadValue(key, message);
    }
}
