package ai.chorus.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code <run>/metrics.jsonl}: one JSON object per averaging round (loss, learning rate, samples/s, seconds
 * computing vs broadcasting vs aggregating, validation when computed). Object stores cannot append, so the file
 * is rewritten whole each round (it is small); a resumed run keeps the lines up to its checkpoint and drops the
 * rounds it will redo, so the file never holds a round twice.
 */
public final class MetricsLog {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path file;
    private final FileSystem fs;
    private final List<String> lines = new ArrayList<>();

    public MetricsLog(String runFolder, Configuration hadoop) {
        this.file = new Path(runFolder, "metrics.jsonl");
        try {
            this.fs = file.getFileSystem(hadoop);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static ObjectNode record() {
        return JSON.createObjectNode();
    }

    /** Loads the lines of rounds before {@code nextRound} (a resume) or starts empty ({@code nextRound = 0}). */
    public void startAt(int nextRound) {
        lines.clear();
        try {
            if (nextRound > 0 && fs.exists(file)) {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(fs.open(file), StandardCharsets.UTF_8))) {
                    for (String line = in.readLine(); line != null; line = in.readLine()) {
                        if (!line.isBlank() && JSON.readTree(line).path("round").asInt() < nextRound) {
                            lines.add(line);
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file, e);
        }
        flush();
    }

    public void append(ObjectNode round) {
        try {
            lines.add(JSON.writeValueAsString(round));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        flush();
    }

    private void flush() {
        try (FSDataOutputStream out = fs.create(file, true)) {
            for (String line : lines) {
                out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + file, e);
        }
    }
}
