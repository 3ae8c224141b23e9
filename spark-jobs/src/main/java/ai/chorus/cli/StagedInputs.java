package ai.chorus.cli;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Report inputs on any Hadoop filesystem, staged in one local temporary folder: the report reads local files with
 * java.nio, and only what it reads is copied (never a run's model and checkpoints, nor an evaluation's embeddings).
 * A plain path is local and used as it is; a URI (s3a://, hdfs://, file:) is read through Hadoop's FileSystem,
 * file: too, so that every scheme takes the same way. Closing deletes the copies.
 */
final class StagedInputs implements AutoCloseable {
    private final Configuration hadoop;
    /** Each local copy and the location it was made of: the report names files by where they really are. */
    private final Map<Path, String> origins = new LinkedHashMap<>();
    private Path root;
    private int copies;

    StagedInputs(Configuration hadoop) {
        this.hadoop = hadoop;
    }

    /** A URI has a scheme of two or more characters (one would be a Windows drive letter). */
    static boolean isUri(String location) {
        return location.matches("[A-Za-z][A-Za-z0-9+.-]+:.*");
    }

    /**
     * The folder as a local path: a plain path as it is; a URI as a local copy of those of its {@code entries} (files,
     * or folders copied whole) that exist. A folder that does not exist stays one, for the report to say so.
     */
    Path folder(String location, String... entries) throws IOException {
        if (!isUri(location)) {
            return Path.of(location);
        }
        org.apache.hadoop.fs.Path remote = new org.apache.hadoop.fs.Path(location);
        Path local = newCopy();
        origins.put(local, location);
        try (FileSystem fs = FileSystem.newInstance(remote.toUri(), hadoop)) {
            if (fs.exists(remote)) {
                Files.createDirectories(local);
                for (String entry : entries) {
                    org.apache.hadoop.fs.Path from = new org.apache.hadoop.fs.Path(remote, entry);
                    if (fs.exists(from)) {
                        copy(fs, from, local.resolve(entry));
                    }
                }
            }
        }
        return local;
    }

    /**
     * For {@code --aggregate}: a results file as it is, or a folder's {@code results/*.json} files at any depth,
     * where {@link ai.chorus.report.AggregateCsv#find} looks for them, and nothing else of the folder.
     */
    Path results(String location) throws IOException {
        if (!isUri(location)) {
            return Path.of(location);
        }
        org.apache.hadoop.fs.Path remote = new org.apache.hadoop.fs.Path(location);
        Path local = newCopy();
        try (FileSystem fs = FileSystem.newInstance(remote.toUri(), hadoop)) {
            if (!fs.exists(remote)) {
                throw new IllegalArgumentException(location + " does not exist");
            }
            if (fs.getFileStatus(remote).isFile()) {
                // Under its own name: a results file's name is its evaluation's name.
                Path file = local.resolve(remote.getName());
                origins.put(file, location);
                copy(fs, remote, file);
                return file;
            }
            origins.put(local, location);
            Files.createDirectories(local);
            String base = fs.makeQualified(remote).toUri().getPath().replaceFirst("/*$", "/");
            RemoteIterator<LocatedFileStatus> files = fs.listFiles(remote, true);
            while (files.hasNext()) {
                org.apache.hadoop.fs.Path f = files.next().getPath();
                if (f.getName().endsWith(".json") && f.getParent().getName().equals("results")) {
                    copy(fs, f, local.resolve(f.toUri().getPath().substring(base.length())));
                }
            }
        }
        return local;
    }

    /** How the report names a local file: by the location its copy was made of; a plain path by itself. */
    String shownAs(Path local) {
        for (Map.Entry<Path, String> e : origins.entrySet()) {
            if (local.startsWith(e.getKey())) {
                String relative = e.getKey().relativize(local).toString().replace(File.separatorChar, '/');
                String origin = e.getValue().replaceFirst("/+$", "");
                return relative.isEmpty() ? origin : origin + "/" + relative;
            }
        }
        return local.toString();
    }

    /** A new local folder name for one copy; the folder itself is created when there is something to copy. */
    private Path newCopy() throws IOException {
        if (root == null) {
            root = Files.createTempDirectory("chorus-report-");
        }
        return root.resolve(Integer.toString(copies++));
    }

    private static void copy(FileSystem fs, org.apache.hadoop.fs.Path from, Path to) throws IOException {
        // The raw local filesystem: no .crc files next to the copies.
        fs.copyToLocalFile(false, from, new org.apache.hadoop.fs.Path(to.toUri()), true);
    }

    @Override
    public void close() throws IOException {
        if (root != null) {
            Folders.deleteTree(root);
        }
    }
}
