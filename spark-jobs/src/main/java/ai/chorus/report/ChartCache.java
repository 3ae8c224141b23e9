package ai.chorus.report;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/** Each chart is drawn once per report, though the HTML and the Markdown both show it. */
final class ChartCache {
    private final Map<String, byte[]> png = new HashMap<>();

    byte[] get(String name, Supplier<byte[]> draw) {
        return png.computeIfAbsent(name, n -> draw.get());
    }
}
