package ai.chorus.models;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;

import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** Model name (the {@code chorus.model.builder} key) to builder, found with {@link ServiceLoader}. */
public final class ModelRegistry {
    private ModelRegistry() {
    }

    public static Map<String, ModelBuilder> builders() {
        Map<String, ModelBuilder> all = new TreeMap<>();
        for (ModelBuilder b : ServiceLoader.load(ModelBuilder.class)) {
            all.put(b.name(), b);
        }
        return all;
    }

    /** Builds the model described by {@code chorus.model} for data of the given shapes. */
    public static ModelBuilder.BuiltModel build(Config config, InputShapes shapes, ModelBuilder.Training training) {
        Config model = config.getConfig("chorus.model");
        String name = model.getString("builder");
        ModelBuilder builder = builders().get(name);
        if (builder == null) {
            throw new ConfigException.BadValue(config.getValue("chorus.model.builder").origin(), "chorus.model.builder",
                    "unknown model builder '" + name + "'; known: " + builders().keySet());
        }
        return builder.build(model, shapes, training);
    }
}
