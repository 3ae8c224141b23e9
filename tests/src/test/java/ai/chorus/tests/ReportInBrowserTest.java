package ai.chorus.tests;

import ai.chorus.report.ReportWriter;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code chorus report}'s HTML as a person sees it: opened from disk in a real headless Chromium, with no network.
 * Every chart and thumbnail decodes, every audio player loads its clip, nothing errs in the console, captions with
 * markup show as text, the right candidate is marked, and the sections are there. Set
 * {@code -Dchorus.report.screenshot=/path.png} to keep a picture of the full report.
 */
class ReportInBrowserTest {
    /** Loss, learning rate, Recall@K of 2 pairs, rank histograms of 4 directions. */
    private static final int CHARTS = 2 + 2 + 4;
    private static final Duration LOAD = Duration.ofSeconds(30);

    private static HeadlessChromium chromium;

    @BeforeAll
    static void startChromium() throws IOException, InterruptedException {
        chromium = HeadlessChromium.start().enableDomains();
    }

    @AfterAll
    static void stopChromium() {
        if (chromium != null) {
            chromium.close();
        }
    }

    /** What the page shows, read in the browser after it loaded. */
    private static JsonNode page() {
        return chromium.evaluate("""
                (() => {
                  const imgs = [...document.images];
                  return {
                    headings: [...document.querySelectorAll('h2')].map(h => h.textContent.trim()),
                    charts: imgs.filter(i => i.classList.contains('chart')).length,
                    chartSizes: [...new Set(imgs.filter(i => i.classList.contains('chart'))
                        .map(i => i.naturalWidth + 'x' + i.naturalHeight))],
                    thumbnails: imgs.filter(i => i.classList.contains('thumb')).length,
                    broken: imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.alt),
                    scripts: document.scripts.length,
                    external: [...document.querySelectorAll('[src],[href]')]
                        .map(e => e.getAttribute('src') || e.getAttribute('href'))
                        .filter(u => !u.startsWith('data:')),
                    relevantBorders: [...new Set([...document.querySelectorAll('td.hit.relevant')]
                        .map(td => getComputedStyle(td).borderTopColor))],
                    marks: [...document.querySelectorAll('td.hit.relevant .mark')].map(m => m.textContent),
                    relevantCells: document.querySelectorAll('td.hit.relevant').length,
                    texts: [...document.querySelectorAll('.text')].map(d => d.textContent),
                    notes: [...document.querySelectorAll('.notes li')].map(li => li.textContent)
                  };
                })()""");
    }

    /** Waits up to 10 s for every audio element to have its metadata (or an error), then reports each. */
    private static JsonNode audio() {
        return chromium.evaluate("""
                new Promise(resolve => {
                  const start = Date.now();
                  const poll = () => {
                    const all = [...document.querySelectorAll('audio')];
                    if (Date.now() - start > 10000 || all.every(a => a.readyState >= 1 || a.error)) {
                      resolve(all.map(a => ({readyState: a.readyState, error: a.error ? a.error.code : null,
                                             duration: a.duration})));
                    } else {
                      setTimeout(poll, 100);
                    }
                  };
                  poll();
                })""");
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    @Test
    void fullReportRendersWithEveryChartThumbnailAndClip(@TempDir Path tmp) throws Exception {
        ReportFixture fixture = ReportFixture.write(tmp);
        Path html = ReportWriter.write(fixture.run, fixture.eval, tmp.resolve("report"), "Fixture report");
        int before = chromium.problems().size();
        chromium.navigate(html.toUri(), LOAD);

        JsonNode page = page();
        assertEquals(List.of("Training", "Retrieval", "Zero-shot classification", "Retrieval examples"),
                texts(page.get("headings")), "sections (no notes: nothing is missing)");
        assertEquals(CHARTS, page.get("charts").asInt(), "charts");
        assertEquals(List.of("720x360"), texts(page.get("chartSizes")));
        assertEquals(fixture.thumbnails, page.get("thumbnails").asInt(), "thumbnails");
        assertEquals(List.of(), texts(page.get("broken")), "images that did not load");
        assertEquals(0, page.get("scripts").asInt(), "the page needs no script and the data adds none");
        assertEquals(List.of(), texts(page.get("external")), "everything inlined");
        assertEquals(List.of("rgb(46, 125, 50)"), texts(page.get("relevantBorders")), "correct candidates framed");
        assertTrue(page.get("relevantCells").asInt() >= 4, "a marked hit in each direction: " + page);
        assertTrue(texts(page.get("marks")).stream().allMatch("✓"::equals));
        assertTrue(texts(page.get("texts")).contains(ReportFixture.SCRIPT_CAPTION), "markup in captions shown as text");

        JsonNode clips = audio();
        assertEquals(fixture.audioPlayers, clips.size(), "audio players");
        for (JsonNode a : clips) {
            assertTrue(a.get("readyState").asInt() >= 1 && a.get("error").isNull(), "audio did not load: " + a);
            assertEquals(0.5, a.get("duration").asDouble(), 0.01, "the 0.5 s clip");
        }
        if (System.getProperty("chorus.report.screenshot") != null) {
            chromium.screenshot(Path.of(System.getProperty("chorus.report.screenshot")));
        }
        List<String> problems = chromium.problems();
        assertEquals(List.of(), problems.subList(before, problems.size()), "console errors and exceptions");
    }

    @Test
    void reportWithoutItsRunFolderSaysSoAndStillRenders(@TempDir Path tmp) throws Exception {
        ReportFixture fixture = ReportFixture.write(tmp);
        Path missing = tmp.resolve("deleted-run");
        Path html = ReportWriter.write(missing, fixture.eval, tmp.resolve("report"), null);
        int before = chromium.problems().size();
        chromium.navigate(html.toUri(), LOAD);

        JsonNode page = page();
        assertEquals(List.of("Notes", "Training", "Retrieval", "Zero-shot classification", "Retrieval examples"),
                texts(page.get("headings")));
        assertEquals(CHARTS - 2, page.get("charts").asInt(), "no training curves");
        assertEquals(List.of(), texts(page.get("broken")));
        assertTrue(texts(page.get("notes")).stream().anyMatch(n -> n.contains(missing.toString())
                && n.contains("does not exist")), page.get("notes").toString());
        List<String> problems = chromium.problems();
        assertEquals(List.of(), problems.subList(before, problems.size()), "console errors and exceptions");
    }
}
