package ai.chorus.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Whole reports from real files: what they show, that they stand alone, and what they say when inputs are missing. */
class ReportWriterTest {
    private static final Pattern SRC = Pattern.compile("src=\"([^\"]*)\"");
    private static final Pattern MD_LINK = Pattern.compile("\\]\\(([^)]*)\\)");

    private static Path evalFolder(Path tmp, String caption) throws Exception {
        Path eval = tmp.resolve("eval");
        ReportFiles.textImageResults(eval, "text-image", 0.41);
        ReportFiles.png(eval.resolve("media/k7.png"), Color.RED);
        ReportFiles.png(eval.resolve("media/k1.png"), Color.BLUE);
        ReportFiles.textImageExamples(eval, "text-image", caption, "media/k7.png", "media/k1.png");
        return eval;
    }

    private static List<String> all(Pattern p, String text) {
        List<String> out = new ArrayList<>();
        Matcher m = p.matcher(text);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    @Test
    void fullReportHasCurvesTablesChartsAndInlinedMedia(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("run");
        ReportFiles.metrics(run, 20);
        Path eval = evalFolder(tmp, "grinning face");
        Path out = tmp.resolve("out");

        Path htmlFile = ReportWriter.write(run, eval, out, null);
        assertEquals(out.resolve("report.html"), htmlFile);
        String html = Files.readString(htmlFile);
        assertTrue(html.contains("<h1>Chorus report: clip</h1>"), html.substring(0, 2000));
        for (String h : List.of("<h2>Training</h2>", "<h2>Retrieval</h2>", "<h2>Retrieval examples</h2>")) {
            assertTrue(html.contains(h), h);
        }
        assertFalse(html.contains("<h2>Notes</h2>"), "nothing is missing, so no notes");
        // loss + learning rate + Recall@K + one rank histogram per direction
        assertEquals(5, html.split("<img class=\"chart\"", -1).length - 1);
        List<String> srcs = all(SRC, html);
        assertEquals(5 + 3, srcs.size(), "charts, 3 thumbnails (k7 and k1 for the text query, k1 as image query)");
        assertTrue(srcs.stream().allMatch(s -> s.startsWith("data:image/png;base64,")), "self-contained");
        assertTrue(html.contains("<td class=\"num\">0.4100</td>"), "text → image R@1");
        assertTrue(html.contains("<td>text → image</td>") && html.contains("<td>image → text</td>"), "labels left-aligned");
        assertTrue(html.contains("text → image: 6 queries, each ranked against 4 candidates"));
        assertTrue(html.contains("Ties: pessimistic.") && html.contains("Split: test."));
        assertTrue(html.contains("<td class=\"hit relevant\">"), "the correct candidate is marked");
        assertTrue(html.contains("✓</span> score 0.5100"), "with its score");

        String md = Files.readString(out.resolve("report.md"));
        assertTrue(md.startsWith("# Chorus report: clip\n"), md);
        assertTrue(md.contains("## Training") && md.contains("## Retrieval examples"), md);
        assertTrue(md.contains("| text → image | 0.4100 | 0.9000 | 1.0000 |"), md);
        List<String> links = all(MD_LINK, md);
        assertEquals(5 + 3, links.size(), md);
        for (String link : links) {
            assertTrue(link.startsWith("assets/"), link);
            assertTrue(Files.isRegularFile(out.resolve(link)), link);
        }
        BufferedImage loss = ImageIO.read(out.resolve("assets/loss.png").toFile());
        assertNotNull(loss, "the loss chart is a PNG");
        assertEquals(Charts.WIDTH, loss.getWidth());
        assertEquals(Charts.HEIGHT, loss.getHeight());
        assertEquals(2, Files.list(out.resolve("assets")).filter(p -> p.getFileName().toString().startsWith("media-"))
                .count(), "each thumbnail copied once");
    }

    @Test
    void eachDirectionHasARandomRankingRowFromTheResultsChanceLevels(@TempDir Path tmp) throws Exception {
        String html = Files.readString(ReportWriter.write(null, evalFolder(tmp, "grinning face"), tmp.resolve("out"), null));
        String md = Files.readString(tmp.resolve("out/report.md"));
        for (String page : List.of(html, md)) {
            assertTrue(page.contains("random ranking"), "a chance row");
            assertTrue(page.contains("0.2500") && page.contains("0.4167"), "the chance R@1 of both directions");
        }
    }

    @Test
    void captionsFromTheDataAreShownAsText(@TempDir Path tmp) throws Exception {
        String caption = "<script>alert('x')</script> & <b>|bold|</b>\nsecond line";
        Path out = tmp.resolve("out");
        ReportWriter.write(null, evalFolder(tmp, caption), out, "<i>title</i>");

        String html = Files.readString(out.resolve("report.html"));
        assertFalse(html.contains("<script"), "no script element from the data");
        assertFalse(html.contains("<b>") || html.contains("<i>"), "no markup from the data");
        assertTrue(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;b&gt;|bold|&lt;/b&gt;"), html);
        assertTrue(html.contains("<h1>&lt;i&gt;title&lt;/i&gt;</h1>"));

        String md = Files.readString(out.resolve("report.md"));
        assertFalse(md.contains("<script") || md.contains("<b>"), md);
        assertTrue(md.contains("&lt;script&gt;alert('x')&lt;/script&gt; &amp; &lt;b&gt;\\|bold\\|&lt;/b&gt; second line"),
                md);
        // The caption's pipes and line break stay inside its table row: every example row has its columns.
        md.lines().filter(l -> l.contains("score 0.5100")).forEach(l ->
                assertTrue(l.startsWith("| ") && l.endsWith(" |"), l));
    }

    @Test
    void missingRunFolderStillWritesTheReportWithANote(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("out");
        Path missing = tmp.resolve("no-such-run");
        ReportWriter.write(missing, evalFolder(tmp, "a cat"), out, null);

        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.contains("<h2>Notes</h2>"));
        assertTrue(html.contains("The training run folder " + missing + " does not exist"), html);
        assertTrue(html.contains("No training metrics"));
        assertTrue(html.contains("<h2>Retrieval</h2>"), "the evaluation is still reported");
        assertTrue(Files.readString(out.resolve("report.md")).contains("does not exist: there are no training curves"));
    }

    @Test
    void runWithoutEvaluationSaysSoAndShowsTheCurves(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("run");
        ReportFiles.metrics(run, 12);
        Files.writeString(run.resolve("metrics.jsonl"), "{\"round\":12,\"step\":5", java.nio.file.StandardOpenOption.APPEND);
        Path out = tmp.resolve("out");
        ReportWriter.write(run, null, out, null);

        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.contains("No evaluation folder was given (--eval)"));
        assertTrue(html.contains("1 line(s) of " + run.resolve("metrics.jsonl") + " are not JSON"), html);
        assertTrue(html.contains("<h2>Evaluation</h2>") && !html.contains("<h2>Retrieval</h2>"));
        assertEquals(2, html.split("<img class=\"chart\"", -1).length - 1);
        assertTrue(html.contains("<th scope=\"row\">rounds</th><td class=\"num\">12</td>"), "the cut line is skipped");
        assertTrue(html.contains("last val_loss (step 40)"), html);
    }

    @Test
    void mediaOutsideTheEvaluationFolderIsNotEmbedded(@TempDir Path tmp) throws Exception {
        ReportFiles.png(tmp.resolve("secret.png"), Color.GREEN);
        Path eval = tmp.resolve("eval");
        ReportFiles.textImageResults(eval, "text-image", 0.5);
        ReportFiles.png(eval.resolve("media/k1.png"), Color.BLUE);
        ReportFiles.textImageExamples(eval, "text-image", "a dog", "../secret.png", "media/nothere.png");
        Path out = tmp.resolve("out");
        ReportWriter.write(null, eval, out, null);

        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.contains("missing: ../secret.png") && html.contains("missing: media/nothere.png"));
        assertTrue(html.contains("3 media file(s) that the examples name are missing"), html);
        assertEquals(3, html.split("<img class=\"chart\"", -1).length - 1, "charts only: recall + 2 histograms");
        assertEquals(3, all(SRC, html).size(), "no thumbnail");
        assertFalse(Files.exists(out.resolve("assets")) && Files.list(out.resolve("assets"))
                .anyMatch(p -> p.getFileName().toString().startsWith("media-")));
    }
}
