package ai.chorus.cli;

import ai.chorus.bench.BenchReport;
import ai.chorus.bench.ModelFiles;
import ai.chorus.bench.TrainBenchmark;
import ai.chorus.models.InputShapes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "bench-train", mixinStandardHelpOptions = true,
        description = "Benchmark training speed: ND4J's GEMM peak on this machine, then for each model the time of a "
                + "training step (graph.fit: forward, backward, Adam) on synthetic data of the right shapes, its FLOPs "
                + "(multiply-add = 2, training = 3 x forward) and the share of the GEMM peak it reaches, with memory "
                + "peaks. Defaults are DESIGN.md's reference: size small, batch 64, image 64, vocabulary 8192, text 32. "
                + "Run it on an otherwise idle machine; the table shows the load average.")
final class BenchTrainCommand implements Callable<Integer> {
    @Option(names = {"-c", "--model"}, paramLabel = "FILE",
            description = "Model file(s), e.g. conf/models/clip.conf; each is one model (unlike other commands, files "
                    + "are not layered). A file without size presets extends its builder's file in the same folder "
                    + "(align.conf over clip.conf). Default: every *.conf in --models-dir.")
    List<File> models = new ArrayList<>();

    @Option(names = "--models-dir", paramLabel = "DIR", defaultValue = "conf/models",
            description = "Folder of model files used when no -c is given (default ${DEFAULT-VALUE}).")
    File modelsDir;

    @Parameters(paramLabel = "KEY=VALUE", arity = "0..*",
            description = "Overrides applied to every model, e.g. chorus.model.image.layers=2.")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--size", defaultValue = "small",
            description = "Size preset of every model (default ${DEFAULT-VALUE}).")
    String size;

    @Option(names = "--batch", defaultValue = "64", description = "Minibatch (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--steps", defaultValue = "20", description = "Measured steps per model (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--warmup", defaultValue = "3", description = "Unmeasured steps first (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--profile", description = "Profile one more step with ND4J's OpProfiler: top ops by time.")
    boolean profile;

    @Option(names = "--top-ops", defaultValue = "15", description = "Ops listed by --profile (default ${DEFAULT-VALUE}).")
    int topOps;

    @Mixin
    JsonReportOption json;

    @Option(names = "--image-size", defaultValue = "64", description = "Image side (default ${DEFAULT-VALUE}).")
    int imageSize;

    @Option(names = "--vocab", defaultValue = "8192", description = "Text vocabulary (default ${DEFAULT-VALUE}).")
    int vocab;

    @Option(names = "--text-length", defaultValue = "32", description = "Tokens per text (default ${DEFAULT-VALUE}).")
    int textLength;

    @Option(names = "--audio-mels", defaultValue = "64", description = "Log-mel bands (default ${DEFAULT-VALUE}).")
    int audioMels;

    @Option(names = "--audio-frames", defaultValue = "501",
            description = "Log-mel frames per clip (default ${DEFAULT-VALUE}: data-prep's 5 s clips at hop 160); a model "
                    + "with an audio tower takes the largest multiple of its audio.patch, as the data side does.")
    int audioFrames;

    @Option(names = "--video-frames", defaultValue = "8", description = "Frames per clip (default ${DEFAULT-VALUE}).")
    int videoFrames;

    @Option(names = "--video-size", defaultValue = "64", description = "Frame side (default ${DEFAULT-VALUE}).")
    int videoSize;

    @Option(names = "--classes", defaultValue = "10", description = "Classes of classifiers (default ${DEFAULT-VALUE}).")
    int classes;

    @Option(names = "--gemm-sizes", split = ",", defaultValue = "2048,4096",
            description = "Square GEMM sizes for the peak (default ${DEFAULT-VALUE}).")
    List<Integer> gemmSizes;

    @Option(names = "--gemm-repeats", defaultValue = "3",
            description = "Best of this many GEMMs per size (default ${DEFAULT-VALUE}).")
    int gemmRepeats;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the synthetic data (default ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        List<File> files = models.isEmpty() ? ModelFiles.in(modelsDir) : models;
        // Load every model file before measuring anything: a bad file fails in a second, not after an hour.
        List<ModelFiles.Model> loaded = new ArrayList<>();
        for (File f : files) {
            loaded.add(ModelFiles.load(f, size, overrides));
        }
        InputShapes shapes = new InputShapes(imageSize, 3, vocab, textLength, audioMels, audioFrames, videoFrames,
                videoSize, classes);
        TrainBenchmark.Settings settings = new TrainBenchmark.Settings(size, batch, steps, warmup, profile, topOps, seed,
                shapes, audioFrames, List.copyOf(gemmSizes), gemmRepeats);
        TrainBenchmark.Report report = new TrainBenchmark(settings, System.out).run(loaded);
        BenchReport.print(report, System.out);
        json.writeIfAsked(report, System.out);
        return 0;
    }
}
