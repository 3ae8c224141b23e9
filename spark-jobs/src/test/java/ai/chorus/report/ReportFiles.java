package ai.chorus.report;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes the files a report reads (as the training and evaluation jobs lay them out) for the tests. */
final class ReportFiles {
    private ReportFiles() {
    }

    static Path write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        return Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    /** metrics.jsonl of {@code rounds} rounds with a falling loss; val_loss every 5th round. */
    static Path metrics(Path run, int rounds) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int r = 0; r < rounds; r++) {
            b.append(String.format(java.util.Locale.ROOT, "{\"round\":%d,\"epoch\":%d,\"step\":%d,\"samples_seen\":%d,"
                            + "\"loss\":%.4f,\"learning_rate\":%.6f,\"samples_per_second\":120.5,\"compute_seconds\":1.5,"
                            + "\"broadcast_seconds\":0.1,\"aggregate_seconds\":0.2,\"round_seconds\":1.9,\"workers\":2%s}\n",
                    r, r / 10, (r + 1) * 4, (r + 1) * 64, 3.0 / (1 + r), 1e-3 * Math.min(1, (r + 1) / 5.0),
                    r % 5 == 4 ? String.format(java.util.Locale.ROOT, ",\"val_loss\":%.4f", 3.2 / (1 + r)) : ""));
        }
        return write(run.resolve("metrics.jsonl"), b.toString());
    }

    /** A text-image retrieval results file with 3 Ks per direction. */
    static Path textImageResults(Path eval, String name, double r1) throws IOException {
        return write(eval.resolve("results/" + name + ".json"), """
                {"task":"zeroshot_retrieval","model":"clip","dataset":"/data/emoji","split":"test",
                 "pair":["text","image"],"config_hash":"ab12cd","tie_rule":"pessimistic",
                 "sizes":{"image_retrieval_queries":6,"image_retrieval_candidates":4,
                          "text_retrieval_queries":4,"text_retrieval_candidates":6},
                 "ks":[1,5,10],
                 "chance":{"image_retrieval_recall@1":0.25,"text_retrieval_recall@1":0.4167},
                 "metrics":{"image_retrieval_recall@1":%s,"image_retrieval_recall@5":0.9,"image_retrieval_recall@10":1.0,
                            "image_retrieval_mean_rank":2.5,"image_retrieval_median_rank":2.0,"image_retrieval_map":0.6,
                            "text_retrieval_recall@1":0.3,"text_retrieval_recall@5":0.8,"text_retrieval_recall@10":1.0,
                            "text_retrieval_mean_rank":3.25,"text_retrieval_median_rank":3.0,"text_retrieval_map":0.5}}
                """.formatted(r1));
    }

    static Path png(Path file, Color color) throws IOException {
        BufferedImage img = new BufferedImage(24, 16, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(color);
        g.fillRect(0, 0, 24, 16);
        g.dispose();
        Files.createDirectories(file.getParent());
        ImageIO.write(img, "png", file.toFile());
        return file;
    }

    /** Examples of a text-image pair: one text query with the given caption and media paths for its top 2. */
    static Path textImageExamples(Path eval, String name, String caption, String media1, String media2)
            throws IOException {
        String json = """
                {"pair":["text","image"],"split":"test","directions":[
                  {"name":"image_retrieval","query_modality":"text","candidate_modality":"image",
                   "ranks":[1,2,1,3,7,1],"candidates":4,
                   "examples":[{"query":{"key":"q1","text":%s,"media":null},"rank":2,
                     "top":[{"key":"k7","score":0.53,"relevant":false,"text":null,"media":%s},
                            {"key":"k1","score":0.51,"relevant":true,"text":null,"media":%s}]}]},
                  {"name":"text_retrieval","query_modality":"image","candidate_modality":"text",
                   "ranks":[1,1,2,4],"candidates":6,
                   "examples":[{"query":{"key":"k1","text":null,"media":%s},"rank":1,
                     "top":[{"key":"q1","score":0.51,"relevant":true,"text":%s,"media":null}]}]}]}
                """.formatted(quote(caption), quote(media1), quote(media2), quote(media2), quote(caption));
        return write(eval.resolve("examples/" + name + ".json"), json);
    }

    static String quote(String s) {
        try {
            return ReportInputs.JSON.writeValueAsString(s);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
