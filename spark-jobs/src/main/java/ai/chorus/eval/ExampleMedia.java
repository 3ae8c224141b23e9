package ai.chorus.eval;

import ai.chorus.prep.io.HadoopFiles;
import ai.chorus.prep.io.MediaPathResolver;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.apache.spark.sql.functions.col;

/**
 * The media files retrieval examples show, written under {@code <eval>/media/<modality>/}: images as PNG from the
 * dataset's pixels (what the model saw), videos as one PNG strip of their frames, audio as the original file (what
 * a person would want to hear; the dataset keeps only its log-mel). A file name is the key made safe plus a hash of
 * the key, so different keys never collide.
 */
final class ExampleMedia {
    private static final Logger LOG = LoggerFactory.getLogger(ExampleMedia.class);

    private ExampleMedia() {
    }

    /** Writes the files; returns "modality/key" → path relative to the evaluation folder (absent if not written). */
    static Map<String, String> write(SparkSession spark, String dataset, Map<String, Set<String>> keysByModality,
                                     EvalFolder folder) {
        Set<String> keys = new TreeSet<>();
        keysByModality.values().forEach(keys::addAll);
        Map<String, String> written = new HashMap<>();
        if (keys.isEmpty()) {
            return written;
        }
        List<Row> rows = spark.read().parquet(new Path(dataset, "samples").toString())
                .filter(col("key").isin(keys.toArray()))
                .select("key", "image_rgb", "image_height", "image_width", "audio_path", "video_frames",
                        "video_frame_count", "video_height", "video_width", "source_file").collectAsList();
        for (Row r : rows) {
            String key = r.getString(0);
            for (Map.Entry<String, Set<String>> e : keysByModality.entrySet()) {
                if (!e.getValue().contains(key)) {
                    continue;
                }
                String modality = e.getKey();
                String relative = write(spark, r, modality, key, folder);
                if (relative != null) {
                    written.put(modality + "/" + key, relative);
                }
            }
        }
        return written;
    }

    private static String write(SparkSession spark, Row r, String modality, String key, EvalFolder folder) {
        String base = "media/" + modality + "/" + safeName(key);
        switch (modality) {
            case "image" -> {
                if (r.isNullAt(1)) {
                    return null;
                }
                return png(folder, base, rgb(r.getAs(1), 1, r.getInt(2), r.getInt(3)));
            }
            case "video" -> {
                if (r.isNullAt(5)) {
                    return null;
                }
                return png(folder, base, rgb(r.getAs(5), r.getInt(6), r.getInt(7), r.getInt(8)));
            }
            case "audio" -> {
                if (r.isNullAt(4)) {
                    return null;
                }
                Path source = originalFile(r.getString(9), r.getString(4));
                String name = source.getName();
                String ext = name.contains(".") ? name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT) : "bin";
                try {
                    byte[] audio = HadoopFiles.readBytes(HadoopFiles.fileSystem(source, spark.sparkContext()
                            .hadoopConfiguration()), source);
                    folder.write(folder.media(base + "." + ext), audio);
                    return base + "." + ext;
                } catch (UncheckedIOException e) {
                    LOG.warn("retrieval example {}: the audio file {} cannot be read ({}); the report shows no player",
                            key, source, e.toString());
                    return null;
                }
            }
            default -> {
                return null;
            }
        }
    }

    /**
     * Where the prepare job read a media file: the manifest's reference resolved against the manifest's folder, as
     * prepare resolved it (the corpus root check was passed then).
     */
    static Path originalFile(String manifest, String reference) {
        URI folder = new Path(manifest).getParent().toUri();
        URI fsRoot = URI.create((folder.getScheme() == null ? "file" : folder.getScheme()) + "://"
                + (folder.getAuthority() == null ? "" : folder.getAuthority()) + "/");
        return new MediaPathResolver(folder, fsRoot).resolve("audio", reference);
    }

    /** uint8 RGB, HWC per frame, frames side by side. */
    static BufferedImage rgb(byte[] pixels, int frames, int h, int w) {
        BufferedImage image = new BufferedImage(w * frames, h, BufferedImage.TYPE_INT_RGB);
        for (int f = 0; f < frames; f++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int i = ((f * h + y) * w + x) * 3;
                    image.setRGB(f * w + x, y, (pixels[i] & 0xff) << 16 | (pixels[i + 1] & 0xff) << 8 | (pixels[i + 2] & 0xff));
                }
            }
        }
        return image;
    }

    private static String png(EvalFolder folder, String base, BufferedImage image) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        folder.write(folder.media(base + ".png"), bytes.toByteArray());
        return base + ".png";
    }

    static String safeName(String key) {
        String safe = key.replaceAll("[^A-Za-z0-9._-]", "_");
        if (safe.length() > 60) {
            safe = safe.substring(0, 60);
        }
        return safe + "-" + ai.chorus.train.TrainedRun.sha256(key.getBytes(StandardCharsets.UTF_8)).substring(0, 8);
    }
}
