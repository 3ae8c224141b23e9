package ai.chorus.prep.output;

import ai.chorus.prep.io.HadoopFiles;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A prepared dataset's folder on any Hadoop file system. Jobs write into {@code _staging/} and
 * {@link #commit(Path)} moves the result into place with {@code dataset.json} last: a dataset is complete
 * exactly when its {@code dataset.json} exists, and a job killed at any point leaves either the old
 * complete dataset, or one without {@code dataset.json} that a rerun replaces.
 */
public final class DatasetFolder {
    public static final String SAMPLES = "samples";
    public static final String REJECTS = "rejects";
    public static final String DATASET_JSON = "dataset.json";
    public static final String TOKENIZER_JSON = "tokenizer.json";
    private static final String STAGING = "_staging";
    private static final String READY = "_READY";

    private final Path root;
    private final FileSystem fs;

    public DatasetFolder(String path, Configuration conf) {
        try {
            Path p = new Path(path);
            this.fs = p.getFileSystem(conf);
            this.root = fs.makeQualified(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open output folder " + path + ": " + e.getMessage(), e);
        }
    }

    public Path root() {
        return root;
    }

    public Path path(String name) {
        return new Path(root, name);
    }

    public Path staging() {
        return new Path(root, STAGING);
    }

    public Path staged(String name) {
        return new Path(staging(), name);
    }

    public boolean isComplete() {
        return exists(path(DATASET_JSON));
    }

    public boolean exists(Path p) {
        return HadoopFiles.exists(fs, p);
    }

    /** Removes what an earlier, killed run left in staging, and checks that the folder is writable. */
    public void resetStaging() {
        try {
            fs.delete(staging(), true);
            if (!fs.mkdirs(staging())) {
                throw new IOException("mkdirs returned false");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("output folder " + root + " is not writable: " + e.getMessage(), e);
        }
    }

    public void writeString(Path p, String text) {
        HadoopFiles.writeString(fs, p, text);
    }

    public String readString(Path p) {
        return HadoopFiles.readString(fs, p);
    }

    /** Total bytes of the Parquet files below a folder. */
    public long sizeOf(Path folder) {
        try {
            return fs.getContentSummary(folder).getLength();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Marks staging as complete: from here on a commit, even a killed one, is rolled forward. */
    public void markStagingReady() {
        writeString(staged(READY), "");
    }

    public boolean stagingReady() {
        return exists(staged(READY));
    }

    /**
     * Moves what is staged into place. With {@code appendPrefix == null} staged samples replace the old
     * ones; otherwise their part files join the existing {@code samples/} under that prefix (retry-rejects).
     * Every other staged entry replaces its old version; {@code dataset.json} comes last. Each step
     * checks that its source is still staged, so a commit killed midway is finished by running it again.
     */
    public void commit(String appendPrefix) {
        try {
            fs.delete(path(DATASET_JSON), false);
            if (appendPrefix != null && fs.exists(staged(SAMPLES))) {
                for (FileStatus part : fs.listStatus(staged(SAMPLES))) {
                    if (part.getPath().getName().startsWith("part-")) {
                        rename(part.getPath(), new Path(path(SAMPLES), appendPrefix + part.getPath().getName()));
                    }
                }
                fs.delete(staged(SAMPLES), true);
            }
            for (FileStatus staged : fs.listStatus(staging())) {
                String name = staged.getPath().getName();
                if (!name.equals(DATASET_JSON) && !name.equals(READY)) {
                    fs.delete(path(name), true);
                    rename(staged.getPath(), path(name));
                }
            }
            rename(staged(DATASET_JSON), path(DATASET_JSON));
            fs.delete(staging(), true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot commit dataset in " + root + ": " + e.getMessage(), e);
        }
    }

    public void delete(Path p) {
        HadoopFiles.delete(fs, p);
    }

    public void rename(Path from, Path to) throws IOException {
        if (!fs.rename(from, to)) {
            throw new IOException("rename " + from + " -> " + to + " failed");
        }
    }
}
