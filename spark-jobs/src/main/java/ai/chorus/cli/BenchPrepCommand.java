package ai.chorus.cli;

import ai.chorus.prep.bench.PrepBenchmark;
import ai.chorus.prep.manifest.MediaExtensions;
import com.typesafe.config.Config;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "bench-prep", mixinStandardHelpOptions = true,
        description = {"Benchmark data preparation on real files: images/s per core for decode + resize + Parquet",
                "write, and seconds of audio turned into log-mel per second per core, each with a baseline",
                "measured in the same run on the same files and the ratio to it.",
                "Defaults use the demo corpora (data-prep/corpora/build-corpus.sh tuxpaint asterisk)."})
final class BenchPrepCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions config;

    @Option(names = "--images", paramLabel = "DIR",
            description = "Folder of images (default: the tuxpaint corpus' stamps, ~300 px PNGs).")
    Path images;

    @Option(names = "--audio", paramLabel = "DIR", description = "Folder of audio files (default: the asterisk corpus' WAVs).")
    Path audio;

    @Option(names = "-n", defaultValue = "500", description = "Files per benchmark (default ${DEFAULT-VALUE}).")
    int n;

    @Option(names = "--size", defaultValue = "224", description = "Output image size (default ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--skip-audio", description = "Images only.")
    boolean skipAudio;

    @Override
    public Integer call() throws Exception {
        Config conf = config.load();
        Path dataDir = Path.of(conf.getString("chorus.data-dir"));
        Path imageDir = images != null ? images : dataDir.resolve("corpora/tuxpaint");
        Path audioDir = audio != null ? audio : dataDir.resolve("corpora/asterisk");
        Path work = Files.createTempDirectory("chorus-bench-prep");
        try {
            return SparkSessions.run(conf, spark -> {
                PrepBenchmark bench = new PrepBenchmark(spark, conf, System.out);
                bench.print("images: " + n + " files from " + imageDir + " to " + size + "x" + size,
                        bench.images(PrepBenchmark.files(imageDir, List.of("png"), n), size, work));
                if (!skipAudio) {
                    bench.print("audio: " + n + " files from " + audioDir,
                            bench.audio(PrepBenchmark.files(audioDir, MediaExtensions.AUDIO, n), work));
                }
                return 0;
            });
        } finally {
            Folders.deleteTree(work);
        }
    }
}
