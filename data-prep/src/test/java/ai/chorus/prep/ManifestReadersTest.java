package ai.chorus.prep;

import ai.chorus.prep.output.DatasetSchema;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.awt.Color;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The same three samples written in every manifest format give the same prepared rows. */
class ManifestReadersTest {
    private static SparkSession spark;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startSpark() {
        spark = SparkTestSession.start();
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    /** key → captions, as every format below spells them. */
    private static final Map<String, List<String>> CAPTIONS = new TreeMap<>(Map.of(
            "a", List.of("a red square"),
            "b", List.of("a blue square", "blue box"),
            "c", List.of("ein grünes quadrat")));

    private Path corpus() {
        Path dir = tmp.resolve("corpus");
        TestMedia.write(dir.resolve("a.png"), TestMedia.encode(TestMedia.halves(40, 40, Color.RED, Color.RED), "png"));
        TestMedia.write(dir.resolve("b.png"), TestMedia.encode(TestMedia.halves(40, 40, Color.BLUE, Color.BLUE), "png"));
        TestMedia.write(dir.resolve("c.png"), TestMedia.encode(TestMedia.halves(40, 40, Color.GREEN, Color.GREEN), "png"));
        return dir;
    }

    private Path manifest(String format) {
        Path dir = corpus();
        switch (format) {
            case "csv", "tsv" -> {
                String sep = format.equals("csv") ? "," : "\t";
                StringBuilder sb = new StringBuilder(String.join(sep, "id", "text", "alt_text", "picture") + "\n");
                sb.append(String.join(sep, "a", "A red square", "", "a.png")).append('\n');
                sb.append(String.join(sep, "b", "A blue square", "Blue  box", "b.png")).append('\n');
                sb.append(String.join(sep, "c", "Ein grünes Quadrat", "", "c.png")).append('\n');
                return TestMedia.write(dir.resolve("manifest." + format), sb.toString().getBytes(StandardCharsets.UTF_8));
            }
            case "jsonl" -> {
                String jsonl = """
                        {"id": "a", "text": "A red square", "picture": "a.png"}
                        {"id": "b", "text": ["A blue square", "Blue  box"], "picture": "b.png"}
                        {"id": "c", "text": "Ein grünes Quadrat", "picture": "c.png"}
                        """;
                return TestMedia.write(dir.resolve("manifest.jsonl"), jsonl.getBytes(StandardCharsets.UTF_8));
            }
            case "parquet" -> {
                var schema = org.apache.spark.sql.types.DataTypes.createStructType(List.of(
                        DatasetSchema.INPUT_FIELDS.get(0).copy("id", DatasetSchema.INPUT_FIELDS.get(0).dataType(), true,
                                DatasetSchema.INPUT_FIELDS.get(0).metadata()),
                        DatasetSchema.INPUT_FIELDS.get(3).copy("text", DatasetSchema.INPUT_FIELDS.get(3).dataType(), true,
                                DatasetSchema.INPUT_FIELDS.get(3).metadata()),
                        DatasetSchema.INPUT_FIELDS.get(5).copy("picture", DatasetSchema.INPUT_FIELDS.get(5).dataType(), true,
                                DatasetSchema.INPUT_FIELDS.get(5).metadata())));
                List<Row> rows = List.of(
                        RowFactory.create("a", new String[]{"A red square"}, "a.png"),
                        RowFactory.create("b", new String[]{"A blue square", "Blue  box"}, "b.png"),
                        RowFactory.create("c", new String[]{"Ein grünes Quadrat"}, "c.png"));
                Path p = dir.resolve("manifest.parquet");
                spark.createDataFrame(rows, schema).coalesce(1).write().parquet(p.toString());
                return p;
            }
            case "directory" -> {
                TestMedia.write(dir.resolve("a.txt"), "A red square\n".getBytes(StandardCharsets.UTF_8));
                TestMedia.write(dir.resolve("b.txt"), "A blue square\nBlue  box\n".getBytes(StandardCharsets.UTF_8));
                TestMedia.write(dir.resolve("c.txt"), "Ein grünes Quadrat".getBytes(StandardCharsets.UTF_8));
                return dir;
            }
            default -> throw new IllegalArgumentException(format);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"csv", "tsv", "jsonl", "parquet", "directory"})
    void everyFormatGivesTheSameSamples(String format) {
        Path manifest = manifest(format);
        Path out = tmp.resolve("out");
        PrepareOptions options = PrepareJobTest.options(manifest, out,
                "chorus.prep.input.columns.key=id",
                "chorus.prep.input.columns.captions=[text, alt_text]",
                "chorus.prep.input.columns.image=picture");
        PrepareJob.Result result = new PrepareJob(spark, options, 60_000).run();
        assertEquals(0, result.rejects(), () -> format + " rejects: " + spark.read().parquet(out.resolve("rejects").toString())
                .select("message").collectAsList());
        assertEquals(3, result.samples(), format);

        Map<String, List<String>> captions = new TreeMap<>();
        for (Row r : spark.read().parquet(out.resolve("samples").toString()).collectAsList()) {
            captions.put(r.getAs("key"), r.getList(r.fieldIndex("captions")));
            byte[] rgb = r.getAs("image_rgb");
            int expectedRed = r.getAs("key").equals("a") ? 255 : 0;
            assertEquals(expectedRed, rgb[0] & 0xff, format + " pixels of " + r.getAs("key"));
        }
        assertEquals(CAPTIONS, captions, format);
    }

    @Test
    void malformedCsvRowsAreRejectedNotLost() {
        Path dir = corpus();
        String csv = "key,caption,image\na,fine,a.png\n\"b,unterminated quote,b.png\nc,fine too,c.png\n";
        Path manifest = TestMedia.write(dir.resolve("broken.csv"), csv.getBytes(StandardCharsets.UTF_8));
        Path out = tmp.resolve("out");
        PrepareJob.Result result = new PrepareJob(spark, PrepareJobTest.options(manifest, out), 60_000).run();
        assertEquals(result.rowsIn(), result.samples() + result.rejects());
        assertEquals(1, result.samples(), "only row a survives an unterminated quote that swallows the rest");
        Row[] rejects = (Row[]) spark.read().parquet(out.resolve("rejects").toString()).collect();
        assertArrayEquals(new String[]{"read.malformed-row"},
                Arrays.stream(rejects).map(r -> (String) r.getAs("error_class")).distinct().toArray(String[]::new));
    }
}
