package ai.chorus.eval;

import ai.chorus.prep.io.HadoopFiles;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The evaluation folder on any Hadoop filesystem:
 * <pre>
 * embeddings/&lt;split&gt;/              Parquet ({@link ai.chorus.embed.EmbeddingRows}); embeddings/&lt;split&gt;.json
 *                                    (hash, counts) last
 * results/&lt;pair&gt;.&lt;split&gt;.json    one CLIP_benchmark-style JSON per pair, and results/zeroshot-&lt;modality&gt;.&lt;split&gt;.json
 * examples/&lt;pair&gt;.&lt;split&gt;.json   every query's rank and a few queries with their top 5, for the report
 * media/ * examples/media/        thumbnails (PNG) and audio files the examples point tolt;modality * examples/media/        thumbnails (PNG) and audio files the examples point togt;/      thumbnails (PNG; video: a strip of its frames) and audio files the examples point to
 * </pre>
 * Every name carries the split, so evaluations of several splits share a folder without overwriting each other.
 * A file that another step checks for ({@code embeddings.json}, a results file) is written last, so it exists
 * only when its work is complete; it carries a {@code config_hash}, and a rerun redoes work whose hash differs.
 */
public final class EvalFolder {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path root;
    private final String split;
    private final FileSystem fs;

    public EvalFolder(String root, String split, Configuration hadoop) {
        this.root = new Path(root);
        this.split = split;
        this.fs = HadoopFiles.fileSystem(this.root, hadoop);
    }

    public Path root() {
        return root;
    }

    public Path embeddings() {
        return new Path(root, "embeddings/" + split);
    }

    public Path embeddingsInfo() {
        return new Path(root, "embeddings/" + split + ".json");
    }

    public Path results(String name) {
        return new Path(root, "results/" + name + "." + split + ".json");
    }

    public Path examples(String pair) {
        return new Path(root, "examples/" + pair + "." + split + ".json");
    }

    /** A media file of the examples, and the path the examples JSON records for it (relative to the root). */
    public Path media(String relative) {
        return new Path(root, relative);
    }

    /** The {@code config_hash} of a finished piece of work, or null when the file is missing or unreadable. */
    public String hashOf(Path json) {
        if (!HadoopFiles.exists(fs, json)) {
            return null;
        }
        try {
            JsonNode node = JSON.readTree(readString(json));
            return node.path("config_hash").isTextual() ? node.get("config_hash").asText() : null;
        } catch (IOException | UncheckedIOException e) {
            return null;
        }
    }

    public String readString(Path p) {
        return HadoopFiles.readString(fs, p);
    }

    public void write(Path p, byte[] bytes) {
        HadoopFiles.write(fs, p, bytes);
    }

    public void writeString(Path p, String text) {
        HadoopFiles.writeString(fs, p, text);
    }

    public void delete(Path p) {
        HadoopFiles.delete(fs, p);
    }
}
