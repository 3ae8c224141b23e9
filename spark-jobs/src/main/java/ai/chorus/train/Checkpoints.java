package ai.chorus.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Checkpoints in {@code <run>/checkpoints/round-NNNNNNNN/} on any Hadoop filesystem: {@code model.zip}
 * (ModelSerializer, with updater state) first, {@code state.json} ({@link TrainerState}) last. A checkpoint is
 * complete iff its {@code state.json} exists, and no rename is needed, so this holds on object stores (s3a)
 * too: a run killed while writing leaves a folder without {@code state.json}, which is never picked and is
 * removed by the next write.
 */
public final class Checkpoints {
    static final String MODEL = "model.zip";
    static final String STATE = "state.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path root;
    private final FileSystem fs;

    public Checkpoints(String runFolder, Configuration hadoop) {
        this.root = new Path(runFolder, "checkpoints");
        try {
            this.fs = root.getFileSystem(hadoop);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reach the checkpoint folder " + root, e);
        }
    }

    /** Fails now, before any training, if the run folder cannot be written (with the path in the message). */
    public void checkWritable() {
        Path probe = new Path(root, "_write-probe");
        try {
            fs.mkdirs(root);
            try (FSDataOutputStream out = fs.create(probe, true)) {
                out.write(1);
            }
            fs.delete(probe, false);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("chorus.train.output: cannot write checkpoints to " + root + ": " + e, e);
        }
    }

    public record Checkpoint(Path folder, TrainerState state) {
    }

    public void write(ComputationGraph graph, TrainerState state, int keep) {
        Path folder = new Path(root, String.format("round-%08d", state.round()));
        try {
            fs.delete(folder, true); // a half-written one from a killed run
            try (FSDataOutputStream out = fs.create(new Path(folder, MODEL), true)) {
                ModelSerializer.writeModel(graph, out, true);
            }
            try (FSDataOutputStream out = fs.create(new Path(folder, STATE), true)) {
                out.write(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(state));
            }
            List<Checkpoint> complete = list();
            for (int i = 0; i < complete.size() - keep; i++) {
                fs.delete(complete.get(i).folder(), true);
            }
            for (FileStatus s : folders()) {
                if (!fs.exists(new Path(s.getPath(), STATE)) && !s.getPath().equals(folder)) {
                    fs.delete(s.getPath(), true); // incomplete leftovers
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing checkpoint " + folder, e);
        }
    }

    /** Complete checkpoints, oldest first. */
    public List<Checkpoint> list() {
        List<Checkpoint> out = new ArrayList<>();
        try {
            for (FileStatus s : folders()) {
                Path state = new Path(s.getPath(), STATE);
                if (fs.exists(state)) {
                    try (InputStream in = fs.open(state)) {
                        out.add(new Checkpoint(s.getPath(), JSON.readValue(in, TrainerState.class)));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("listing checkpoints in " + root, e);
        }
        out.sort(Comparator.comparingInt(c -> c.state().round()));
        return out;
    }

    public Optional<Checkpoint> newest() {
        List<Checkpoint> all = list();
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    public ComputationGraph load(Checkpoint checkpoint) {
        Path model = new Path(checkpoint.folder(), MODEL);
        try (InputStream in = fs.open(model)) {
            return ModelSerializer.restoreComputationGraph(in, true);
        } catch (IOException e) {
            throw new UncheckedIOException("reading checkpoint " + model, e);
        }
    }

    private List<FileStatus> folders() throws IOException {
        if (!fs.exists(root)) {
            return List.of();
        }
        List<FileStatus> out = new ArrayList<>();
        for (FileStatus s : fs.listStatus(root)) {
            if (s.isDirectory() && s.getPath().getName().startsWith("round-")) {
                out.add(s);
            }
        }
        return out;
    }
}
