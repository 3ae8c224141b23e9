package ai.chorus.report;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AggregateCsvTest {

    @Test
    void oneRowPerResultsFileWithTheUnionOfMetrics(@TempDir Path tmp) throws Exception {
        Path runs = tmp.resolve("runs");
        Path a = ReportFiles.textImageResults(runs.resolve("a/eval"), "text-image", 0.41);
        Path zs = ReportFiles.write(runs.resolve("b/eval/results/zeroshot-image.json"), """
                {"task":"zeroshot_classification","model":"clip","dataset":"/data/emoji, v2","split":"test",
                 "pair":["image","label"],"config_hash":"ff00","metrics":{"acc1":0.7,"acc5":0.95,
                 "mean_per_class_recall":0.68,"image_retrieval_recall@1":0.2}}""");
        // Not results: examples/ and a JSON elsewhere in the run folder.
        ReportFiles.write(runs.resolve("b/eval/examples/text-image.json"), "{\"directions\":[]}");
        ReportFiles.write(runs.resolve("b/trainer-state.json"), "{\"round\":3}");
        Path single = ReportFiles.write(tmp.resolve("loose.json"), """
                {"task":"zeroshot_retrieval","metrics":{"text_retrieval_recall@1":0.25}}""");

        List<Path> files = AggregateCsv.find(List.of(runs, single, a));
        assertEquals(List.of(a, zs, single), files, "folders sorted, each file once");
        Path csv = tmp.resolve("out/runs.csv");
        assertEquals(3, AggregateCsv.write(files, csv));

        List<CSVRecord> records;
        List<String> header;
        try (Reader in = Files.newBufferedReader(csv);
             CSVParser p = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).build().parse(in)) {
            header = p.getHeaderNames();
            records = new ArrayList<>(p.getRecords());
        }
        List<String> metrics = header.subList(AggregateCsv.FIXED.size(), header.size());
        assertEquals(AggregateCsv.FIXED, header.subList(0, AggregateCsv.FIXED.size()));
        assertEquals(List.of("image_retrieval_recall@1", "image_retrieval_recall@5", "image_retrieval_recall@10",
                "image_retrieval_mean_rank", "image_retrieval_median_rank", "image_retrieval_map",
                "text_retrieval_recall@1", "text_retrieval_recall@5", "text_retrieval_recall@10",
                "text_retrieval_mean_rank", "text_retrieval_median_rank", "text_retrieval_map",
                "acc1", "acc5", "mean_per_class_recall"), metrics, "first-seen order, no duplicates");
        assertEquals(3, records.size());
        CSVRecord first = records.get(0);
        assertEquals(a.toString(), first.get("path"));
        assertEquals("text-image", first.get("pair"));
        assertEquals("ab12cd", first.get("config_hash"));
        assertEquals("0.41", first.get("image_retrieval_recall@1"));
        assertEquals("", first.get("acc1"));
        CSVRecord second = records.get(1);
        assertEquals("/data/emoji, v2", second.get("dataset"), "a comma in a value is quoted");
        assertEquals("0.2", second.get("image_retrieval_recall@1"));
        assertEquals("", second.get("text_retrieval_map"));
        assertEquals("image-label", second.get("pair"));
        CSVRecord third = records.get(2);
        assertEquals("", third.get("model"));
        assertEquals("0.25", third.get("text_retrieval_recall@1"));
    }

    @Test
    void aFileThatIsNotResultsFailsNamingIt(@TempDir Path tmp) throws Exception {
        Path bad = ReportFiles.write(tmp.resolve("results/broken.json"), "{\"task\":");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AggregateCsv.write(AggregateCsv.find(List.of(tmp)), tmp.resolve("x.csv")));
        assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> AggregateCsv.find(List.of(tmp.resolve("nope"))));
    }
}
