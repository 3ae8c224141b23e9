package ai.chorus.tests;

import ai.chorus.cli.ChorusCli;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The prepare job reading its corpus from, and writing its dataset to, a real S3-compatible server through s3a. */
class S3aPrepareTest {
    @TempDir
    static java.nio.file.Path tmp;
    private static S3ProxyServer s3;

    @BeforeAll
    static void startServer() throws Exception {
        s3 = S3ProxyServer.start(tmp);
        // With S3Proxy's filesystem backend a bucket is a folder.
        Files.createDirectories(tmp.resolve("s3-data/corpus-bucket"));
    }

    @AfterAll
    static void stopServer() {
        s3.close();
    }

    private static byte[] png(Color color) throws Exception {
        BufferedImage img = new BufferedImage(48, 32, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(color);
        g.fillRect(0, 0, 48, 32);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    private static void put(FileSystem fs, String uri, byte[] bytes) throws Exception {
        try (var out = fs.create(new Path(uri), true)) {
            out.write(bytes);
        }
    }

    @Test
    void preparesACorpusOnS3IntoADatasetOnS3WithoutLeakingTheSecret() throws Exception {
        String bucket = "s3a://corpus-bucket";
        try (FileSystem fs = FileSystem.get(new URI(bucket + "/"), s3.hadoopConf())) {
            put(fs, bucket + "/corpus/img/red.png", png(Color.RED));
            put(fs, bucket + "/corpus/img/green.png", png(Color.GREEN));
            put(fs, bucket + "/corpus/img/blue.png", png(Color.BLUE));
            String csv = "key,caption,image\nred,a red card,img/red.png\ngreen,a green card,img/green.png\n"
                    + "blue,a blue card,s3a://corpus-bucket/corpus/img/blue.png\nlost,a lost card,img/missing.png\n";
            put(fs, bucket + "/corpus/manifest.csv", csv.getBytes(StandardCharsets.UTF_8));
        }

        PrintStream originalOut = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        int exit;
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            List<String> args = new ArrayList<>(List.of("prepare", "-c", Repo.file("conf/storage/s3a.conf").toString(),
                    "chorus.spark.master=\"local[2]\""));
            args.addAll(s3.chorusOverrides());
            args.addAll(List.of("chorus.prep.input.manifest=\"" + bucket + "/corpus/manifest.csv\"",
                    "chorus.prep.output.path=\"" + bucket + "/datasets/cards\"",
                    "chorus.prep.image.size=16",
                    "chorus.prep.tokenizer.vocab-size=300"));
            exit = ChorusCli.run(args.toArray(String[]::new));
        } finally {
            System.setOut(originalOut);
        }
        String stdout = captured.toString(StandardCharsets.UTF_8);
        originalOut.print(stdout);
        assertEquals(0, exit, stdout);
        assertTrue(stdout.contains("reconcile: 4 rows in = 3 samples + 1 rejects (ok)"), stdout);
        assertFalse(stdout.contains(S3ProxyServer.SECRET_KEY), "the secret key is not printed");

        try (FileSystem fs = FileSystem.get(new URI(bucket + "/"), s3.hadoopConf())) {
            String datasetJson = new String(fs.open(new Path(bucket + "/datasets/cards/dataset.json")).readAllBytes(),
                    StandardCharsets.UTF_8);
            assertTrue(datasetJson.contains("\"samples\" : 3"), datasetJson);
            assertFalse(datasetJson.contains(S3ProxyServer.SECRET_KEY), "no secret in dataset.json");
            assertFalse(fs.exists(new Path(bucket + "/datasets/cards/_staging")));
        }

        SparkSession spark = SparkSession.builder().master("local[2]").config("spark.ui.enabled", "false")
                .config("spark.hadoop.fs.s3a.endpoint", s3.endpoint())
                .config("spark.hadoop.fs.s3a.path.style.access", "true")
                .config("spark.hadoop.fs.s3a.connection.ssl.enabled", "false")
                .config("spark.hadoop.fs.s3a.directory.marker.retention", "keep")
                .config("spark.hadoop.fs.s3a.access.key", S3ProxyServer.ACCESS_KEY)
                .config("spark.hadoop.fs.s3a.secret.key", S3ProxyServer.SECRET_KEY)
                .getOrCreate();
        try {
            List<Row> rejects = spark.read().parquet(bucket + "/datasets/cards/rejects").collectAsList();
            assertEquals(1, rejects.size());
            Row lost = rejects.get(0);
            assertEquals("read.missing-file", lost.getAs("error_class"));
            String message = lost.getAs("message");
            assertTrue(message.contains("s3a://corpus-bucket/corpus/manifest.csv row 4"), message);
            assertTrue(message.contains("s3a://corpus-bucket/corpus/img/missing.png"), message);
            assertFalse(message.contains(S3ProxyServer.SECRET_KEY));
            assertEquals(3, spark.read().parquet(bucket + "/datasets/cards/samples").count());
        } finally {
            spark.stop();
        }
    }
}
