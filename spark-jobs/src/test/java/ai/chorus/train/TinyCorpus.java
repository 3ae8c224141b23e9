package ai.chorus.train;

import ai.chorus.config.ChorusConfig;
import ai.chorus.prep.PrepareJob;
import ai.chorus.prep.PrepareOptions;
import org.apache.spark.sql.SparkSession;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A small real corpus for trainer tests, written as real files and prepared by the real prepare job: PNG images of
 * a coloured shape on white, a JSONL manifest with a caption that names colour and shape, and the colour as label.
 */
public final class TinyCorpus {
    static final String[] COLOURS = {"red", "green", "blue", "black"};
    static final Color[] RGB = {Color.RED, new Color(0, 160, 0), Color.BLUE, Color.BLACK};
    static final String[] SHAPES = {"square", "disc", "bar", "cross"};

    private static String shared;

    private TinyCorpus() {
    }

    /** One 64-sample dataset per test JVM (preparing costs a Spark job), in a folder deleted at exit. */
    public static synchronized String shared(SparkSession spark) throws IOException {
        if (shared == null) {
            Path root = Files.createTempDirectory("chorus-tiny-corpus");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(root.toFile())));
            shared = prepare(spark, root, 64);
        }
        return shared;
    }

    private static void deleteQuietly(File f) {
        File[] children = f.listFiles();
        if (children != null) {
            for (File c : children) {
                deleteQuietly(c);
            }
        }
        f.delete();
    }

    /** Writes {@code n} samples under {@code root/corpus} and prepares them into {@code root/dataset}; returns it. */
    static String prepare(SparkSession spark, Path root, int n) throws IOException {
        Path corpus = Files.createDirectories(root.resolve("corpus"));
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int colour = i % COLOURS.length;
            int shape = (i / COLOURS.length) % SHAPES.length;
            int offset = i / (COLOURS.length * SHAPES.length); // position varies so no two images are equal
            BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = img.createGraphics();
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, 16, 16);
            g.setColor(RGB[colour]);
            int x = offset % 6;
            int y = (offset / 6) % 6;
            switch (shape) {
                case 0 -> g.fillRect(x + 2, y + 2, 8, 8);
                case 1 -> g.fillOval(x + 2, y + 2, 9, 9);
                case 2 -> g.fillRect(x + 1, y + 5, 10, 3);
                default -> {
                    g.fillRect(x + 2, y + 5, 9, 3);
                    g.fillRect(x + 5, y + 2, 3, 9);
                }
            }
            g.dispose();
            String file = "img-" + i + ".png";
            ImageIO.write(img, "png", corpus.resolve(file).toFile());
            lines.add(String.format("{\"key\":\"s%04d\",\"caption\":[\"a %s %s\",\"%s %s number %d\"],\"image\":\"%s\",\"label\":\"%s\"}",
                    i, COLOURS[colour], SHAPES[shape], COLOURS[colour], SHAPES[shape], offset, file, COLOURS[colour]));
        }
        Path manifest = corpus.resolve("manifest.jsonl");
        Files.write(manifest, lines, StandardCharsets.UTF_8);
        String dataset = root.resolve("dataset").toUri().toString();
        PrepareOptions options = PrepareOptions.fromConfig(ChorusConfig.load(List.<File>of(), List.of(
                "chorus.prep.input.manifest=\"" + manifest.toUri() + "\"",
                "chorus.prep.input.format=jsonl",
                "chorus.prep.output.path=\"" + dataset + "\"",
                "chorus.prep.image.size=16",
                "chorus.prep.text.max-length=8",
                "chorus.prep.split.train=0.8", "chorus.prep.split.val=0.2", "chorus.prep.split.test=0.0")));
        PrepareJob.Result result = new PrepareJob(spark, options, 60_000).run();
        if (result.samples() != n) {
            throw new IllegalStateException("the tiny corpus did not prepare cleanly: " + result);
        }
        return dataset;
    }
}
