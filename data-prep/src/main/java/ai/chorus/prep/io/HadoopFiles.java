package ai.chorus.prep.io;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Whole small files (JSON, settings, thumbnails, a model zip) on any Hadoop filesystem: the one place the
 * dataset, run and evaluation folders read and write them. Failures name the path.
 */
public final class HadoopFiles {
    private HadoopFiles() {
    }

    public static FileSystem fileSystem(Path p, Configuration conf) {
        try {
            return p.getFileSystem(conf);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the filesystem of " + p + ": " + e.getMessage(), e);
        }
    }

    public static byte[] readBytes(FileSystem fs, Path p) {
        try (FSDataInputStream in = fs.open(p)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + p + ": " + e.getMessage(), e);
        }
    }

    public static String readString(FileSystem fs, Path p) {
        return new String(readBytes(fs, p), StandardCharsets.UTF_8);
    }

    /** Creates or overwrites {@code p}. */
    public static void write(FileSystem fs, Path p, byte[] bytes) {
        try (FSDataOutputStream out = fs.create(p, true)) {
            out.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + p + ": " + e.getMessage(), e);
        }
    }

    public static void writeString(FileSystem fs, Path p, String text) {
        write(fs, p, text.getBytes(StandardCharsets.UTF_8));
    }

    public static boolean exists(FileSystem fs, Path p) {
        try {
            return fs.exists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot look for " + p + ": " + e.getMessage(), e);
        }
    }

    /** Deletes a file or a whole folder; a missing one is fine. */
    public static void delete(FileSystem fs, Path p) {
        try {
            fs.delete(p, true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + p + ": " + e.getMessage(), e);
        }
    }
}
