package ai.chorus.bench;

import ai.chorus.models.Flops;
import ai.chorus.models.InputShapes;
import ai.chorus.models.ModelBuilder;
import ai.chorus.models.ModelConfig;
import ai.chorus.models.ModelRegistry;
import ai.chorus.models.encoders.AudioTower;
import com.typesafe.config.Config;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.File;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Training speed of models on this machine, against its own matrix-multiply peak: ND4J's GEMM peak first, then for
 * each model a graph built by its builder (Adam, float32, as training runs it), warm-up steps, timed
 * {@code graph.fit} steps on one synthetic minibatch ({@link SyntheticBatch}), the FLOPs of a step from layer
 * shapes ({@link Flops}), and memory peaks. Optionally one more step with ND4J's op profiler on. Measures only.
 */
public final class TrainBenchmark {
    /** What every model in a run gets. {@code audioClipFrames}: frames per clip before a model's crop. */
    public record Settings(String size, int batch, int steps, int warmup, boolean profile, int topOps, long seed,
                           InputShapes shapes, int audioClipFrames, List<Integer> gemmSizes, int gemmRepeats) {
        public Settings {
            if (batch < 1 || steps < 1 || warmup < 0 || topOps < 1) {
                throw new IllegalArgumentException("need batch >= 1, steps >= 1, warmup >= 0 and top ops >= 1; got batch "
                        + batch + ", steps " + steps + ", warmup " + warmup + ", top " + topOps);
            }
        }
    }

    public record Machine(int cores, String ompNumThreads, String java, String nd4jBackend, String blas,
                          double loadAverageStart, double loadAverageEnd) {
    }

    /** FLOPs per the conventions of {@link Flops}: training = 3 × forward. */
    public record StepFlops(long forwardPerStep, long trainingPerStep, double trainingPerSample,
                            long attentionScoresForwardPerStep) {
    }

    public record ModelResult(String name, String builder, List<String> files, List<String> inputs, String labels,
                              InputShapes shapes, long parameters, StepTimes stepMs, double samplesPerSecond,
                              StepFlops flops, double achievedGflops, double shareOfGemmPeak, double lastScore,
                              double loadAverageAfter, MemoryPeaks.Peaks memory, OpProfile.Result profile) {
    }

    public record Report(String command, String started, String flopConvention, String stepDefinition,
                         Machine machine, Settings settings, GemmPeak.Result gemm, List<ModelResult> models) {
    }

    static final String FLOP_CONVENTION = "multiply-add = 2 FLOPs, matmul work only (projections, attention scores "
            + "QK^T and AV in full also when causal, MLPs, patch projection, logits, gates); training step = 3 x forward "
            + "(backward = 2 x forward, PyTorch flop-counter convention); see ai.chorus.models.Flops";
    static final String STEP_DEFINITION = "one ComputationGraph.fit(MultiDataSet): forward, backward and the Adam "
            + "update, on the same synthetic minibatch every step";

    private final Settings settings;
    private final PrintStream log;

    public TrainBenchmark(Settings settings, PrintStream log) {
        this.settings = settings;
        this.log = log;
    }

    public Report run(List<ModelFiles.Model> models) {
        String started = Instant.now().toString();
        double loadStart = loadAverage();
        log.printf(Locale.ROOT, "GEMM peak: Nd4j.gemm float32 at %s, best of %d%n", settings.gemmSizes(),
                settings.gemmRepeats());
        GemmPeak.Result gemm = GemmPeak.measure(settings.gemmSizes(), settings.gemmRepeats());
        List<ModelResult> results = new ArrayList<>();
        for (ModelFiles.Model model : models) {
            results.add(run(model, gemm.peakGflops()));
        }
        Machine machine = new Machine(Runtime.getRuntime().availableProcessors(),
                System.getenv("OMP_NUM_THREADS"), Runtime.version().toString(),
                Nd4j.getBackend().getClass().getSimpleName(), String.valueOf(Nd4j.factory().blas().getBlasVendor()),
                loadStart, loadAverage());
        return new Report("bench-train", started, FLOP_CONVENTION, STEP_DEFINITION, machine, settings, gemm,
                List.copyOf(results));
    }

    private ModelResult run(ModelFiles.Model model, double peakGflops) {
        Config conf = model.config();
        InputShapes shapes = shapesFor(conf);
        ModelBuilder.BuiltModel built = ModelRegistry.build(conf, shapes, ModelBuilder.Training.defaults());
        int batch = settings.batch();
        Flops.Count flops = Flops.of(built, shapes, batch);
        // Start each model from a clean heap, so that its peaks are its own.
        System.gc();
        ComputationGraph graph = new ComputationGraph(built.configuration());
        MultiDataSet data = SyntheticBatch.of(built.io(), shapes, batch, settings.seed());
        double[] ms = new double[settings.steps()];
        MemoryPeaks peaks = new MemoryPeaks();
        try {
            graph.init();
            log.printf(Locale.ROOT, "%s: %d warm-up + %d measured steps at batch %d, inputs %s%n", model.name(),
                    settings.warmup(), settings.steps(), batch, built.io().inputs());
            for (int i = 0; i < settings.warmup(); i++) {
                graph.fit(data);
            }
            for (int i = 0; i < ms.length; i++) {
                long t = System.nanoTime();
                graph.fit(data);
                ms[i] = (System.nanoTime() - t) / 1e6;
                log.printf(Locale.ROOT, "  step %d: %.0f ms%n", i + 1, ms[i]);
            }
        } finally {
            peaks.close();
        }
        MemoryPeaks.Peaks memory = peaks.peaks();
        double score = graph.score();
        double loadAfter = loadAverage();
        OpProfile.Result profile = settings.profile()
                ? OpProfile.ofOneStep(() -> graph.fit(data), settings.topOps()) : null;
        StepTimes times = StepTimes.of(ms);
        double seconds = times.median() / 1e3;
        double achieved = flops.training() / seconds / 1e9;
        return new ModelResult(model.name(), conf.getString("chorus.model.builder"),
                model.files().stream().map(File::getPath).toList(), built.io().inputs(), built.io().labels(), shapes,
                graph.params().length(), times, batch / seconds,
                new StepFlops(flops.forward(), flops.training(), flops.trainingPerSample(), flops.attentionScores()),
                achieved, achieved / peakGflops, score, loadAfter, memory, profile);
    }

    /** The run's shapes, with the audio frames a model with an audio tower takes of a clip (its patch's multiple). */
    InputShapes shapesFor(Config conf) {
        InputShapes s = settings.shapes();
        Config model = conf.getConfig("chorus.model");
        boolean audioTower = model.hasPath("audio.patch") || model.hasPath("sizes." + settings.size() + ".audio.patch");
        int frames = audioTower ? AudioTower.frames(new ModelConfig(model), settings.audioClipFrames())
                : settings.audioClipFrames();
        return new InputShapes(s.imageSize(), s.imageChannels(), s.vocabSize(), s.textLength(), s.audioMels(), frames,
                s.videoFrames(), s.videoSize(), s.numClasses());
    }

    private static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }
}
