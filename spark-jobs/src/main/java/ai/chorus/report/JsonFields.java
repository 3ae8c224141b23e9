package ai.chorus.report;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/** Lenient reads of the JSON the training and evaluation jobs write: absent fields are empty, never an exception. */
final class JsonFields {
    private JsonFields() {
    }

    /** Text of {@code field}, or "" when absent or null. */
    static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? "" : v.asText();
    }

    /**
     * A number, also when written as a string: Jackson writes NaN and infinities as "NaN"/"Infinity" by default.
     */
    static OptionalDouble number(JsonNode v) {
        if (v == null || v.isNull()) {
            return OptionalDouble.empty();
        }
        if (v.isNumber()) {
            return OptionalDouble.of(v.asDouble());
        }
        if (v.isTextual()) {
            try {
                return OptionalDouble.of(Double.parseDouble(v.asText()));
            } catch (NumberFormatException notANumber) {
                return OptionalDouble.empty();
            }
        }
        return OptionalDouble.empty();
    }

    /** The numeric members of an object, in file order; other members are skipped. */
    static Map<String, Double> numbers(JsonNode object) {
        Map<String, Double> out = new LinkedHashMap<>();
        if (object != null && object.isObject()) {
            object.fields().forEachRemaining(e -> number(e.getValue()).ifPresent(d -> out.put(e.getKey(), d)));
        }
        return out;
    }

    static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        if (array != null && array.isArray()) {
            array.forEach(v -> out.add(v.asText()));
        }
        return out;
    }
}
