package ai.chorus.report;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reading results files: directions named from the pair, K in numeric order, older files without the new fields. */
class EvalResultTest {
    private static EvalResult parse(String json) throws Exception {
        return EvalResult.from(Path.of("eval/results/x.json"), ReportInputs.JSON.readTree(json));
    }

    @Test
    void directionsAreNamedQueryToRetrievedModality() throws Exception {
        EvalResult audio = parse("""
                {"task":"zeroshot_retrieval","pair":["text","audio"],"metrics":{
                 "audio_retrieval_recall@10":0.9,"audio_retrieval_recall@1":0.2,"audio_retrieval_recall@5":0.6,
                 "text_retrieval_recall@1":0.3,"text_retrieval_mean_rank":4.0}}""");
        assertEquals(List.of("audio", "text"), audio.retrievedModalities());
        assertEquals("text → audio", audio.directionLabel("audio"));
        assertEquals("audio → text", audio.directionLabel("text"));
        assertEquals(List.of(1, 5, 10), audio.recallKs(), "numeric order, not the file's or text order");
        assertEquals(List.of("recall@1", "mean_rank"), List.copyOf(audio.directionMetrics("text").keySet()));
        assertEquals("text-audio", audio.pairName());
        assertTrue(audio.isRetrieval());

        EvalResult audioImage = parse("""
                {"task":"zeroshot_retrieval","pair":["audio","image"],"metrics":{
                 "image_retrieval_recall@1":0.5,"audio_retrieval_recall@1":0.4}}""");
        assertEquals("audio → image", audioImage.directionLabel("image"));
        assertEquals("image → audio", audioImage.directionLabel("audio"));
    }

    @Test
    void olderResultsWithoutPairOrModelStillRead() throws Exception {
        EvalResult r = parse("""
                {"task":"zeroshot_classification","split":"val","sizes":{"images":50,"classes":10},
                 "metrics":{"acc1":0.5,"acc5":"NaN","mean_per_class_recall":0.45,"note":"text is skipped"}}""");
        assertEquals("", r.model());
        assertEquals("x", r.pairName(), "the file's name stands in for the pair");
        assertTrue(r.isClassification());
        assertFalse(r.isRetrieval());
        assertTrue(Double.isNaN(r.metrics().get("acc5")), "NaN as Jackson writes it");
        assertEquals(List.of("acc1", "acc5", "mean_per_class_recall"), List.copyOf(r.metrics().keySet()));
        assertEquals(10L, r.sizes().get("classes"));
        assertEquals("image retrieval", r.directionLabel("image"));
    }

    @Test
    void aFileWithoutMetricsIsNotAResultsFile() {
        assertThrows(IllegalArgumentException.class, () -> parse("{\"pair\":[\"text\",\"image\"],\"directions\":[]}"));
    }
}
