package ai.chorus.prep.io;

import ai.chorus.prep.SampleRejectedException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Reads media through Hadoop's FileSystem (local, HDFS, s3a), with the size cap applied before any
 * byte is read. FFmpeg decodes a local file about twice as fast as a stream, so non-local media are
 * copied to a temporary file for audio and video.
 */
public final class MediaFiles {
    private final Configuration conf;
    private final long maxFileBytes;

    public MediaFiles(Configuration conf, long maxFileBytes) {
        this.conf = conf;
        this.maxFileBytes = maxFileBytes;
    }

    public FileStatus status(String field, Path path) {
        try {
            return path.getFileSystem(conf).getFileStatus(path);
        } catch (FileNotFoundException e) {
            throw new SampleRejectedException("read", "read.missing-file", field + " file " + path + " does not exist");
        } catch (IOException e) {
            throw new SampleRejectedException("read", "read.io", "cannot stat " + field + " file " + path + ": " + e, e);
        }
    }

    public byte[] readBytes(String field, Path path) {
        return readBytes(field, status(field, path));
    }

    private byte[] readBytes(String field, FileStatus status) {
        Path path = status.getPath();
        if (status.isDirectory()) {
            throw new SampleRejectedException("read", "read.not-a-file", field + " path " + path + " is a folder, not a file");
        }
        if (status.getLen() > maxFileBytes) {
            throw new SampleRejectedException("read", "read.file-too-large", field + " file " + path + " has "
                    + status.getLen() + " bytes, more than chorus.prep.input.max-file-bytes = " + maxFileBytes);
        }
        try (FSDataInputStream in = path.getFileSystem(conf).open(path)) {
            byte[] bytes = new byte[(int) status.getLen()];
            in.readFully(0, bytes);
            return bytes;
        } catch (IOException e) {
            throw new SampleRejectedException("read", "read.io", "cannot read " + field + " file " + path + ": " + e, e);
        }
    }

    /** The frames of a frame-folder video: its image files, in name order. */
    public List<byte[]> readFrameFolder(String field, Path folder, List<String> imageExtensions) {
        try {
            FileStatus[] children = folder.getFileSystem(conf).listStatus(folder);
            Arrays.sort(children, Comparator.comparing(s -> s.getPath().getName()));
            List<byte[]> frames = new ArrayList<>();
            for (FileStatus child : children) {
                String name = child.getPath().getName().toLowerCase(java.util.Locale.ROOT);
                int dot = name.lastIndexOf('.');
                if (child.isFile() && dot > 0 && imageExtensions.contains(name.substring(dot + 1))) {
                    frames.add(readBytes(field, child));
                }
            }
            if (frames.isEmpty()) {
                throw new SampleRejectedException("video", "video.empty", field + " folder " + folder + " holds no image frames");
            }
            return frames;
        } catch (IOException e) {
            throw new SampleRejectedException("read", "read.io", "cannot list " + field + " folder " + folder + ": " + e, e);
        }
    }

    /** A local file with the media's content; {@link LocalCopy#close()} deletes it if it was a copy. */
    public LocalCopy localCopy(String field, Path path) {
        return localCopy(field, status(field, path));
    }

    /** As {@link #localCopy(String, Path)}, for a file already looked up. */
    public LocalCopy localCopy(String field, FileStatus status) {
        Path path = status.getPath();
        if (status.isDirectory()) {
            throw new SampleRejectedException("read", "read.not-a-file", field + " path " + path + " is a folder, not a file");
        }
        if (status.getLen() > maxFileBytes) {
            throw new SampleRejectedException("read", "read.file-too-large", field + " file " + path + " has "
                    + status.getLen() + " bytes, more than chorus.prep.input.max-file-bytes = " + maxFileBytes);
        }
        if ("file".equals(status.getPath().toUri().getScheme())) {
            return new LocalCopy(java.nio.file.Path.of(status.getPath().toUri()), false);
        }
        try {
            String name = path.getName();
            String suffix = name.contains(".") ? name.substring(name.lastIndexOf('.')) : "";
            java.nio.file.Path tmp = Files.createTempFile("chorus-media-", suffix);
            try (FSDataInputStream in = path.getFileSystem(conf).open(path)) {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            }
            return new LocalCopy(tmp, true);
        } catch (IOException e) {
            throw new SampleRejectedException("read", "read.io", "cannot read " + field + " file " + path + ": " + e, e);
        }
    }

    public record LocalCopy(java.nio.file.Path path, boolean temporary) implements AutoCloseable {
        @Override
        public void close() {
            if (temporary) {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException ignored) {
                    // a leftover temp file is harmless
                }
            }
        }
    }
}
