package ai.chorus.models;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;

/**
 * Typed reads of a model's HOCON ({@code chorus.model}), with the size preset applied: a value in
 * {@code sizes.<size>} wins over the same key at the top level, so a model file states what differs
 * between tiny, small and base and shares the rest. Errors name the full key.
 */
public final class ModelConfig {
    private final Config model;
    private final Config effective;
    private final String size;

    public ModelConfig(Config model) {
        this.model = model;
        this.size = model.getString("size");
        if (!model.hasPath("sizes." + size)) {
            throw new ConfigException.BadValue(model.getValue("size").origin(), "chorus.model.size",
                    "no preset '" + size + "' in chorus.model.sizes; this model has " + model.getConfig("sizes").root().keySet());
        }
        this.effective = model.getConfig("sizes." + size).withFallback(model);
    }

    public String size() {
        return size;
    }

    public String name() {
        return model.getString("name");
    }

    public int positiveInt(String key) {
        int v = effective.getInt(key);
        if (v <= 0) {
            throw bad(key, "a positive whole number, got " + v);
        }
        return v;
    }

    public double fraction(String key) {
        double v = effective.getDouble(key);
        if (v < 0 || v >= 1) {
            throw bad(key, "a number in [0, 1), got " + v);
        }
        return v;
    }

    public double positiveDouble(String key) {
        double v = effective.getDouble(key);
        if (!(v > 0) || Double.isInfinite(v)) {
            throw bad(key, "a positive number, got " + v);
        }
        return v;
    }

    public boolean bool(String key) {
        return effective.getBoolean(key);
    }

    public java.util.List<Integer> positiveIntList(String key) {
        java.util.List<Integer> v = effective.getIntList(key);
        if (v.isEmpty() || v.stream().anyMatch(i -> i <= 0)) {
            throw bad(key, "a non-empty list of positive whole numbers, got " + v);
        }
        return v;
    }

    public boolean has(String key) {
        return effective.hasPath(key);
    }

    public String string(String key) {
        return effective.getString(key);
    }

    public ConfigException.BadValue bad(String key, String expected) {
        return new ConfigException.BadValue(effective.hasPath(key) ? effective.getValue(key).origin() : model.origin(),
                "chorus.model." + key + " (size " + size + ")", "expected " + expected);
    }
}
