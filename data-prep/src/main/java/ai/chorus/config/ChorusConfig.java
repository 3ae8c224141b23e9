package ai.chorus.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Loads Chorus configuration. Precedence, highest first: {@code key=value} command-line overrides,
 * {@code -D} system properties, the user's files (a later file overrides an earlier one), then every
 * {@code reference.conf} on the classpath. Unknown keys under {@code chorus} are errors, so a typo
 * fails at start instead of being silently ignored.
 */
public final class ChorusConfig {
    /**
     * Sub-trees whose keys are free-form: passed through to Spark or Hadoop as they are, or (models) each
     * model file's own schema, which its builder validates.
     */
    private static final Set<String> FREE_FORM = Set.of("chorus.spark.conf", "chorus.model");

    private ChorusConfig() {
    }

    public static Config load(List<File> files, List<String> overrides) {
        ConfigFactory.invalidateCaches(); // system properties are cached by Typesafe Config; -D set since must count
        Config reference = ConfigFactory.defaultReferenceUnresolved();
        Config user = ConfigFactory.empty();
        for (File file : files) {
            if (!file.isFile()) {
                throw new ConfigException.IO(ConfigFactory.empty(file.getPath()).origin(),
                        "configuration file " + file.getPath() + " does not exist or is not a file");
            }
            Config parsed = ConfigFactory.parseFile(file, ConfigParseOptions.defaults().setAllowMissing(false));
            user = parsed.withFallback(user);
        }
        Config commandLine = parseOverrides(overrides);
        Config merged = commandLine
                .withFallback(ConfigFactory.systemProperties())
                .withFallback(user)
                .withFallback(reference)
                .resolve(ConfigResolveOptions.defaults());
        rejectUnknownKeys(commandLine.withFallback(user), ConfigFactory.defaultReference());
        return merged;
    }

    /** Parses {@code key=value} arguments; a value that is not valid HOCON is taken as a plain string. */
    public static Config parseOverrides(List<String> overrides) {
        Config result = ConfigFactory.empty();
        for (String override : overrides) {
            int eq = override.indexOf('=');
            if (eq <= 0) {
                throw new ConfigException.Generic(
                        "command-line override '" + override + "' is not of the form key=value");
            }
            String key = override.substring(0, eq).trim();
            String value = override.substring(eq + 1);
            Config one;
            try {
                one = ConfigFactory.parseString(key + " = " + value,
                        ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF)
                                .setOriginDescription("command line '" + override + "'"));
            } catch (ConfigException e) {
                one = ConfigFactory.empty("command line '" + override + "'")
                        .withValue(key, ConfigValueFactory.fromAnyRef(value, "command line '" + override + "'"));
            }
            result = one.withFallback(result);
        }
        return result;
    }

    private static void rejectUnknownKeys(Config user, Config reference) {
        if (!user.hasPath("chorus")) {
            return;
        }
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, ConfigValue> entry : user.getConfig("chorus").entrySet()) {
            String path = "chorus." + entry.getKey();
            if (isFreeForm(path) || reference.hasPathOrNull(path)) {
                continue;
            }
            ConfigOrigin origin = entry.getValue().origin();
            problems.add(origin.description() + ": unknown key '" + path + "'" + suggestion(path, reference));
        }
        if (!problems.isEmpty()) {
            throw new ConfigException.Generic("configuration has unknown keys (see reference.conf for the keys):\n  "
                    + String.join("\n  ", problems));
        }
    }

    private static boolean isFreeForm(String path) {
        for (String prefix : FREE_FORM) {
            if (path.startsWith(prefix + ".")) {
                return true;
            }
        }
        return false;
    }

    private static String suggestion(String path, Config reference) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (Map.Entry<String, ConfigValue> entry : reference.getConfig("chorus").entrySet()) {
            String candidate = "chorus." + entry.getKey();
            int d = editDistance(path, candidate);
            if (d < bestDistance) {
                bestDistance = d;
                best = candidate;
            }
        }
        return best != null && bestDistance <= 3 ? " (did you mean '" + best + "'?)" : "";
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
