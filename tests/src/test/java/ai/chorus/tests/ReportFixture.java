package ai.chorus.tests;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import javax.imageio.ImageIO;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.IntFunction;

/**
 * A training run folder and an evaluation folder laid out as the training and evaluation jobs write them: a
 * metrics.jsonl of {@value #ROUNDS} rounds; results of a text-image and a text-audio retrieval and an image zero-shot
 * classification; examples of both pairs with real PNG thumbnails and real WAV clips (0.5 s tones). Metrics are
 * computed from the ranks the examples hold, as the evaluation would.
 */
final class ReportFixture {
    static final int ROUNDS = 20;
    static final String SCRIPT_CAPTION = "<script>alert('caption')</script> & friends";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> CAPTIONS = List.of("grinning face", "a red circle", SCRIPT_CAPTION,
            "cat | dog", "blue square", "two green stripes");
    private static final int[] KS = {1, 5, 10};
    private static final int TOP = 5;
    private static final int[] SHOWN_RANKS = {1, 3, 8};

    final Path run;
    final Path eval;
    /** What the report has to show: image thumbnails and audio players in the examples. */
    int thumbnails;
    int audioPlayers;

    private final Random random = new Random(7);

    private ReportFixture(Path root) {
        this.run = root.resolve("run");
        this.eval = root.resolve("eval");
    }

    static ReportFixture write(Path root) throws IOException {
        ReportFixture f = new ReportFixture(root);
        f.metrics();
        List<String> images = f.images(6);
        List<String> clips = f.clips(6);
        f.retrieval("text", "image", images, 300, 100);
        f.retrieval("text", "audio", clips, 40, 20);
        f.zeroShot();
        return f;
    }

    private void metrics() throws IOException {
        StringBuilder b = new StringBuilder();
        for (int r = 0; r < ROUNDS; r++) {
            ObjectNode line = JSON.createObjectNode().put("round", r).put("epoch", r / 10).put("step", (r + 1) * 8)
                    .put("samples_seen", (r + 1) * 256).put("loss", 4.0 * Math.exp(-r / 6.0) + 0.3 + 0.05 * random.nextDouble())
                    .put("learning_rate", 1e-3 * Math.min(1, (r + 1) / 5.0)).put("samples_per_second", 180 + random.nextInt(20))
                    .put("compute_seconds", 1.2).put("broadcast_seconds", 0.1).put("aggregate_seconds", 0.15)
                    .put("round_seconds", 1.5).put("workers", 2);
            if (r % 5 == 4) {
                line.put("val_loss", 4.2 * Math.exp(-r / 6.0) + 0.4).put("val_image_to_text_recall@1", r / 25.0)
                        .put("val_text_to_image_recall@1", r / 27.0);
            }
            b.append(JSON.writeValueAsString(line)).append('\n');
        }
        Files.createDirectories(run);
        Files.writeString(run.resolve("metrics.jsonl"), b.toString());
    }

    /** PNG thumbnails: a coloured disc on a light background, each a different hue. */
    private List<String> images(int n) throws IOException {
        Path media = Files.createDirectories(eval.resolve("media"));
        String[] paths = new String[n];
        for (int i = 0; i < n; i++) {
            BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = img.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(new Color(0xF4F4F4));
            g.fillRect(0, 0, 64, 64);
            g.setColor(Color.getHSBColor(i / (float) n, 0.8f, 0.9f));
            g.fillOval(8, 8, 48, 48);
            g.dispose();
            paths[i] = "media/img" + i + ".png";
            ImageIO.write(img, "png", media.resolve("img" + i + ".png").toFile());
        }
        return List.of(paths);
    }

    /** WAV clips: 0.5 s sine tones, 16 kHz mono 16-bit, each a different pitch. */
    private List<String> clips(int n) throws IOException {
        Path media = Files.createDirectories(eval.resolve("media"));
        float rate = 16_000;
        int frames = (int) (rate / 2);
        String[] paths = new String[n];
        for (int i = 0; i < n; i++) {
            ByteBuffer pcm = ByteBuffer.allocate(frames * 2).order(ByteOrder.LITTLE_ENDIAN);
            double hz = 220 * (i + 2) / 2.0;
            for (int t = 0; t < frames; t++) {
                pcm.putShort((short) (8000 * Math.sin(2 * Math.PI * hz * t / rate)));
            }
            AudioFormat format = new AudioFormat(rate, 16, 1, true, false);
            try (AudioInputStream in = new AudioInputStream(new ByteArrayInputStream(pcm.array()), format, frames)) {
                AudioSystem.write(in, AudioFileFormat.Type.WAVE, media.resolve("clip" + i + ".wav").toFile());
            }
            paths[i] = "media/clip" + i + ".wav";
        }
        return List.of(paths);
    }

    /** results/<a>-<b>.json and examples/<a>-<b>.json of text and one media modality, both directions. */
    private void retrieval(String text, String mediaModality, List<String> media, int textQueries, int mediaItems)
            throws IOException {
        String pair = text + "-" + mediaModality;
        ObjectNode results = JSON.createObjectNode().put("task", "zeroshot_retrieval").put("model", "clip")
                .put("dataset", "/tmp/corpora/emoji-" + pair).put("split", "test").put("config_hash", "ab12cd34");
        results.putArray("pair").add(text).add(mediaModality);
        ObjectNode sizes = results.putObject("sizes");
        results.put("tie_rule", "pessimistic: a non-relevant candidate scoring exactly as high as a relevant one "
                + "ranks before it");
        ArrayNode ks = results.putArray("ks");
        Arrays.stream(KS).forEach(ks::add);
        ObjectNode metrics = results.putObject("metrics");

        ObjectNode examples = JSON.createObjectNode();
        examples.putArray("pair").add(text).add(mediaModality);
        examples.put("split", "test");
        ArrayNode directions = examples.putArray("directions");
        // text queries retrieve media; media queries retrieve text
        direction(directions, metrics, sizes, mediaModality, text, mediaModality, textQueries, mediaItems, 3,
                i -> textItem(i), i -> mediaItem(media, i));
        direction(directions, metrics, sizes, text, mediaModality, text, mediaItems, textQueries, 2,
                i -> mediaItem(media, i), i -> textItem(i));

        write(eval.resolve("results/" + pair + ".json"), results);
        write(eval.resolve("examples/" + pair + ".json"), examples);
    }

    private void direction(ArrayNode directions, ObjectNode metrics, ObjectNode sizes, String retrieved,
                           String queryModality, String candidateModality, int queries, int candidates, int shown,
                           IntFunction<ObjectNode> query,
                           IntFunction<ObjectNode> candidate) {
        int[] ranks = new int[queries];
        for (int q = 0; q < queries; q++) {
            ranks[q] = 1 + (int) Math.min(candidates - 1, Math.floor(-Math.log(1 - random.nextDouble()) * 6));
        }
        System.arraycopy(SHOWN_RANKS, 0, ranks, 0, shown); // shown queries: a hit at 1, one at 3, one outside the top 5
        String prefix = retrieved + "_retrieval";
        for (int k : KS) {
            metrics.put(prefix + "_recall@" + k, Arrays.stream(ranks).filter(r -> r <= k).count() / (double) queries);
        }
        int[] sorted = ranks.clone();
        Arrays.sort(sorted);
        metrics.put(prefix + "_mean_rank", Arrays.stream(ranks).average().orElseThrow());
        metrics.put(prefix + "_median_rank", sorted[queries / 2]);
        metrics.put(prefix + "_map", Arrays.stream(ranks).mapToDouble(r -> 1.0 / r).average().orElseThrow());
        sizes.put(prefix + "_queries", queries).put(prefix + "_candidates", candidates);

        ObjectNode d = directions.addObject().put("name", prefix).put("query_modality", queryModality)
                .put("candidate_modality", candidateModality);
        ArrayNode r = d.putArray("ranks");
        Arrays.stream(ranks).forEach(r::add);
        d.put("candidates", candidates);
        ArrayNode shownExamples = d.putArray("examples");
        for (int q = 0; q < shown; q++) {
            ObjectNode e = shownExamples.addObject();
            e.set("query", query.apply(q));
            e.put("rank", ranks[q]);
            ArrayNode top = e.putArray("top");
            for (int t = 0; t < TOP; t++) {
                // the query's own match (index q) at its rank, other candidates elsewhere
                ObjectNode hit = candidate.apply(t + 1 == ranks[q] ? q : q + 1 + t);
                hit.put("score", 0.6 - 0.05 * t).put("relevant", t + 1 == ranks[q]);
                top.add(hit);
            }
        }
    }

    private static ObjectNode textItem(int i) {
        int c = i % CAPTIONS.size();
        ObjectNode n = JSON.createObjectNode().put("key", "t" + c).put("text", CAPTIONS.get(c));
        n.putNull("media");
        return n;
    }

    private ObjectNode mediaItem(List<String> media, int i) {
        String path = media.get(i % media.size());
        if (path.endsWith(".png")) {
            thumbnails++;
        } else {
            audioPlayers++;
        }
        ObjectNode n = JSON.createObjectNode().put("key", path.replaceAll(".*/|\\..*", ""));
        n.putNull("text");
        return n.put("media", path);
    }

    private void zeroShot() throws IOException {
        ObjectNode r = JSON.createObjectNode().put("task", "zeroshot_classification").put("model", "clip")
                .put("dataset", "/tmp/corpora/emoji-classes").put("split", "test").put("config_hash", "ab12cd34")
                .put("classes", 10);
        r.putArray("pair").add("image").add("label");
        r.putObject("sizes").put("images", 200).put("classes", 10);
        r.put("tie_rule", "pessimistic");
        r.putObject("metrics").put("acc1", 0.62).put("acc5", 0.93).put("mean_per_class_recall", 0.6);
        write(eval.resolve("results/zeroshot-image.json"), r);
    }

    private static void write(Path file, ObjectNode json) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json));
    }
}
