package ai.chorus.tests;

import ai.chorus.cli.ChorusCli;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code chorus report} of a run and an evaluation on a real S3-compatible server, set up as every command is (-c
 * conf/storage/s3a.conf and overrides): the same report as of the same folders on local disk, with the folders named
 * by their s3a URIs, and the secret key nowhere in what the command prints or writes.
 */
class S3aReportTest {
    private static final String BUCKET = "s3a://report-bucket";
    private static final Pattern SECTION = Pattern.compile("<h2>(.*?)</h2>");
    private static final Pattern HEADING = Pattern.compile("<h[23][^>]*>(.*?)</h[23]>");

    @TempDir
    static java.nio.file.Path tmp;
    private static S3ProxyServer s3;
    private static ReportFixture fixture;

    @BeforeAll
    static void startServerAndUploadTheFixture() throws Exception {
        s3 = S3ProxyServer.start(tmp);
        Files.createDirectories(tmp.resolve("s3-data/report-bucket")); // the filesystem backend's bucket is a folder
        fixture = ReportFixture.write(tmp.resolve("local"));
        try (FileSystem fs = FileSystem.newInstance(new URI(BUCKET + "/"), s3.hadoopConf())) {
            fs.copyFromLocalFile(false, true, new Path(fixture.run.toUri()), new Path(BUCKET + "/run"));
            fs.copyFromLocalFile(false, true, new Path(fixture.eval.toUri()), new Path(BUCKET + "/eval"));
            // What the report never reads, as training and evaluation write it next to what it does.
            try (var out = fs.create(new Path(BUCKET + "/eval/embeddings/test/text/part-00000.parquet"))) {
                out.write(new byte[1024]);
            }
            try (var out = fs.create(new Path(BUCKET + "/run/model.zip"))) {
                out.write(new byte[1024]);
            }
        }
    }

    @AfterAll
    static void stopServer() {
        if (s3 != null) {
            s3.close();
        }
    }

    /** {@code chorus report -c conf/storage/s3a.conf <overrides for this server> args...}, its output captured. */
    private static CliTest.Run report(String... args) {
        List<String> all = new ArrayList<>(List.of("report", "-c", Repo.file("conf/storage/s3a.conf").toString()));
        all.addAll(s3.chorusOverrides());
        all.addAll(List.of(args));
        CliTest.Run run = CliTest.capture(() -> ChorusCli.run(all.toArray(String[]::new)));
        System.out.print(run.out());
        System.err.print(run.err());
        return run;
    }

    private static List<String> headings(Pattern heading, String html) {
        List<String> out = new ArrayList<>();
        Matcher m = heading.matcher(html);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    private static int count(String html, String tag) {
        return html.split(Pattern.quote(tag), -1).length - 1;
    }

    @Test
    void reportOfFoldersOnS3IsTheReportOfTheSameFoldersOnDisk() throws Exception {
        java.nio.file.Path localOut = tmp.resolve("local-report");
        CliTest.Run local = CliTest.capture(() -> ChorusCli.run("report", "--run", fixture.run.toString(),
                "--eval", fixture.eval.toString(), "--out", localOut.toString()));
        assertEquals(0, local.exit(), local.err());
        java.nio.file.Path remoteOut = tmp.resolve("s3-report");
        CliTest.Run remote = report("--run", BUCKET + "/run", "--eval", BUCKET + "/eval",
                "--out", remoteOut.toString());
        assertEquals(0, remote.exit(), remote.err());
        assertEquals(remoteOut.resolve("report.html").toString(), remote.out().trim(), "prints the local report");

        String localHtml = Files.readString(localOut.resolve("report.html"));
        String remoteHtml = Files.readString(remoteOut.resolve("report.html"));
        assertEquals(List.of("Training", "Retrieval", "Zero-shot classification", "Retrieval examples"),
                headings(SECTION, remoteHtml), "the sections, and no notes: nothing is missing");
        assertEquals(headings(HEADING, localHtml), headings(HEADING, remoteHtml), "the same sections and subsections");
        for (String tag : List.of("<img class=\"chart\"", "<img class=\"thumb\"", "<audio")) {
            assertEquals(count(localHtml, tag), count(remoteHtml, tag), tag);
        }
        assertEquals(fixture.thumbnails, count(remoteHtml, "<img class=\"thumb\""), "every thumbnail");
        assertEquals(fixture.audioPlayers, count(remoteHtml, "<audio"), "every audio clip");
        // Byte for byte the same page (charts and inlined media too), but for the names of the two folders.
        assertEquals(localHtml.replace(fixture.run.toString(), BUCKET + "/run")
                .replace(fixture.eval.toString(), BUCKET + "/eval"), remoteHtml);
        assertTrue(remoteHtml.contains(BUCKET + "/eval"), "the evaluation is named by its URI");
        assertFalse(remoteHtml.contains("chorus-report-"), "not by the temporary copy, gone by now");
        assertTrue(Files.isRegularFile(remoteOut.resolve("report.md")));

        for (String text : List.of(remote.out(), remote.err(), remoteHtml,
                Files.readString(remoteOut.resolve("report.md")))) {
            assertFalse(text.contains(S3ProxyServer.SECRET_KEY), "the secret key is not printed or written");
        }
    }

    @Test
    void aggregateOfAnEvaluationOnS3() throws Exception {
        java.nio.file.Path localCsv = tmp.resolve("local.csv");
        assertEquals(0, CliTest.capture(() -> ChorusCli.run("report", "--aggregate", "--out", localCsv.toString(),
                fixture.eval.toString())).exit());
        java.nio.file.Path remoteCsv = tmp.resolve("s3.csv");
        CliTest.Run remote = report("--aggregate", "--out", remoteCsv.toString(), BUCKET + "/eval");
        assertEquals(0, remote.exit(), remote.err());
        assertTrue(remote.err().contains("3 evaluation(s)"), remote.err());

        String csv = Files.readString(remoteCsv, StandardCharsets.UTF_8);
        assertTrue(csv.contains(BUCKET + "/eval/results/text-image.json,"), csv);
        String localRows = Files.readString(localCsv, StandardCharsets.UTF_8);
        assertEquals(localRows.replace(fixture.eval.toString(), BUCKET + "/eval"), csv,
                "the same rows, with the files named by their URIs");
        assertFalse(remote.out().contains(S3ProxyServer.SECRET_KEY) || remote.err().contains(S3ProxyServer.SECRET_KEY));
    }
}
