package ai.chorus.bench;

import ai.chorus.config.ChorusConfig;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;

import java.io.File;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Model HOCON files ({@code conf/models/*.conf}) as the models a benchmark runs, one model per file. A file without
 * size presets of its own is a variant of another model and is layered over its builder's file in the same folder,
 * as its users would include it: {@code align.conf} (builder {@code clip}) over {@code clip.conf}.
 */
public final class ModelFiles {
    /** One model: its name, the files it was loaded from (base first) and the full configuration. */
    public record Model(String name, List<File> files, Config config) {
    }

    private ModelFiles() {
    }

    /** Every {@code *.conf} in {@code dir}, by file name. */
    public static List<File> in(File dir) {
        File[] files = dir.listFiles((d, name) -> name.endsWith(".conf"));
        if (files == null || files.length == 0) {
            throw new IllegalArgumentException("no model files (*.conf) in " + dir.getAbsolutePath()
                    + ": run from the repository root, or name the files with -c / the folder with --models-dir");
        }
        Arrays.sort(files);
        return List.of(files);
    }

    /** Loads the model of {@code file} at {@code size}, with {@code key=value} overrides (highest precedence). */
    public static Model load(File file, String size, List<String> overrides) {
        if (!file.isFile()) {
            throw new IllegalArgumentException("model file " + file + " does not exist");
        }
        Config own = ConfigFactory.parseFile(file);
        if (!own.hasPath("chorus.model")) {
            throw new IllegalArgumentException(file + " is not a model file: it has no chorus.model");
        }
        List<File> files = new ArrayList<>();
        if (!own.hasPath("chorus.model.sizes")) {
            if (!own.hasPath("chorus.model.builder")) {
                throw new ConfigException.Missing(own.origin(), "chorus.model.builder");
            }
            File base = new File(file.getAbsoluteFile().getParentFile(), own.getString("chorus.model.builder") + ".conf");
            if (!base.isFile() || base.equals(file.getAbsoluteFile())) {
                throw new IllegalArgumentException(file + " has no chorus.model.sizes and no base model file " + base
                        + " to extend");
            }
            files.add(base);
        }
        files.add(file);
        List<String> all = new ArrayList<>(overrides);
        all.add("chorus.model.size=" + size);
        Config config = ChorusConfig.load(files, all);
        return new Model(config.getString("chorus.model.name"), List.copyOf(files), config);
    }
}
