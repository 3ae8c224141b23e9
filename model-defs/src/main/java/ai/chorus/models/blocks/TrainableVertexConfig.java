package ai.chorus.models.blocks;

import org.deeplearning4j.nn.api.TrainingConfig;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.shade.jackson.annotation.JsonIgnore;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Base configuration of a Chorus graph vertex that owns trainable parameters, written over plain ND4J ops
 * (no SameDiff). It carries what DL4J's updater asks a {@link TrainingConfig} for: updater, bias updater,
 * regularization, gradient normalization.
 *
 * <p><b>Where the updater comes from.</b> DL4J M2.1 copies the graph's global configuration
 * ({@code .updater(...)}, {@code .weightDecay(...)}, ...) into layers, and into vertices only when they
 * extend {@code SameDiffVertex}; any other vertex with parameters would otherwise reach the updater with
 * {@code null} and fail with "Updater for parameter ... was null". So each field left {@code null} here is
 * filled, in this order:
 * <ol>
 *   <li>explicitly, by a setter on the vertex;</li>
 *   <li>by {@link #applyGlobalConfig(NeuralNetConfiguration.Builder)} (the Chorus graph helpers call it with
 *       {@code graphBuilder.getGlobalConfiguration()});</li>
 *   <li>otherwise, when the graph is initialised, from the value most of the graph's layers share (which is
 *       the global configuration unless most layers override it).</li>
 * </ol>
 * Weights get {@code regularization}; "bias-like" parameters (biases, gains, the logit scale) get
 * {@code regularizationBias}, mirroring DL4J layers (so AdamW-style weight decay skips them, as open_clip does).
 *
 * <p>Subclasses must copy their own fields in {@link #clone()} (call {@link #copyTrainingFieldsTo}) and include
 * them in equals/hashCode: Spark workers receive cloned configurations.
 */
public abstract class TrainableVertexConfig extends GraphVertex implements TrainingConfig {

    protected String name;
    protected IUpdater updater;
    protected IUpdater biasUpdater;
    protected List<Regularization> regularization;
    protected List<Regularization> regularizationBias;
    protected GradientNormalization gradientNormalization;
    protected double gradientNormalizationThreshold = Double.NaN;
    protected DataType dataType;

    /** @return true if the parameter is bias-like (bias updater, bias regularization). */
    protected abstract boolean isBiasParam(String paramName);

    /** @return the names of the parameters, in their order in the flattened parameter view. */
    public abstract List<String> paramNames();

    /**
     * Fills every training field still {@code null} from a graph builder's global configuration, as DL4J does
     * for layers. Call with {@code graphBuilder.getGlobalConfiguration()}.
     */
    public void applyGlobalConfig(NeuralNetConfiguration.Builder global) {
        if (updater == null) {
            updater = copy(global.getIUpdater());
        }
        if (biasUpdater == null) {
            biasUpdater = copy(global.getBiasUpdater());
        }
        if (regularization == null) {
            regularization = copy(global.getRegularization());
        }
        if (regularizationBias == null) {
            regularizationBias = copy(global.getRegularizationBias());
        }
        if (gradientNormalization == null) {
            gradientNormalization = global.getGradientNormalization();
        }
        if (Double.isNaN(gradientNormalizationThreshold)) {
            gradientNormalizationThreshold = global.getGradientNormalizationThreshold();
        }
    }

    /**
     * Fills fields still {@code null} from the layers of the graph this vertex is instantiated in: for each field
     * the value most layers share (ties: the first seen in configuration order). Called from instantiate().
     */
    protected void inheritFromGraph(ComputationGraph graph, String vertexName) {
        this.name = vertexName;
        if (updater != null && biasUpdater != null && regularization != null && regularizationBias != null
                && gradientNormalization != null && !Double.isNaN(gradientNormalizationThreshold)) {
            return;
        }
        List<BaseLayer> layers = new ArrayList<>();
        for (GraphVertex v : graph.getConfiguration().getVertices().values()) {
            if (v instanceof LayerVertex) {
                Layer l = ((LayerVertex) v).getLayerConf().getLayer();
                if (l instanceof BaseLayer) {
                    layers.add((BaseLayer) l);
                }
            }
        }
        if (updater == null) {
            updater = copy(mostCommon(layers, BaseLayer::getIUpdater));
            if (updater == null) {
                throw new IllegalStateException("Vertex '" + vertexName + "' has trainable parameters but no updater: "
                        + "the graph has no layer to inherit one from. Set it on the vertex (setUpdater) or call "
                        + "applyGlobalConfig(graphBuilder.getGlobalConfiguration()).");
            }
        }
        if (biasUpdater == null) {
            biasUpdater = copy(mostCommon(layers, BaseLayer::getBiasUpdater));
        }
        if (regularization == null) {
            regularization = copy(mostCommon(layers, BaseLayer::getRegularization));
        }
        if (regularizationBias == null) {
            regularizationBias = copy(mostCommon(layers, BaseLayer::getRegularizationBias));
        }
        if (gradientNormalization == null) {
            gradientNormalization = mostCommon(layers, BaseLayer::getGradientNormalization);
        }
        if (Double.isNaN(gradientNormalizationThreshold)) {
            Double t = mostCommon(layers, BaseLayer::getGradientNormalizationThreshold);
            gradientNormalizationThreshold = t == null ? 1.0 : t;
        }
    }

    private static <T> T mostCommon(List<BaseLayer> layers, java.util.function.Function<BaseLayer, T> f) {
        Map<T, Integer> counts = new LinkedHashMap<>();
        for (BaseLayer l : layers) {
            T v = f.apply(l);
            if (v != null) {
                counts.merge(v, 1, Integer::sum);
            }
        }
        T best = null;
        int bestCount = 0;
        for (Map.Entry<T, Integer> e : counts.entrySet()) {
            if (e.getValue() > bestCount) {
                best = e.getKey();
                bestCount = e.getValue();
            }
        }
        return best;
    }

    static IUpdater copy(IUpdater u) {
        return u == null ? null : u.clone();
    }

    static List<Regularization> copy(List<Regularization> regs) {
        if (regs == null) {
            return null;
        }
        List<Regularization> out = new ArrayList<>(regs.size());
        for (Regularization r : regs) {
            out.add(r.clone());
        }
        return out;
    }

    /** Copies the fields of this class (deeply) into a clone; subclasses call it from clone(). */
    protected <T extends TrainableVertexConfig> T copyTrainingFieldsTo(T target) {
        target.name = name;
        target.updater = copy(updater);
        target.biasUpdater = copy(biasUpdater);
        target.regularization = copy(regularization);
        target.regularizationBias = copy(regularizationBias);
        target.gradientNormalization = gradientNormalization;
        target.gradientNormalizationThreshold = gradientNormalizationThreshold;
        target.dataType = dataType;
        return target;
    }

    protected boolean trainingFieldsEqual(TrainableVertexConfig o) {
        return Objects.equals(name, o.name) && Objects.equals(updater, o.updater)
                && Objects.equals(biasUpdater, o.biasUpdater) && Objects.equals(regularization, o.regularization)
                && Objects.equals(regularizationBias, o.regularizationBias)
                && gradientNormalization == o.gradientNormalization
                && Double.compare(gradientNormalizationThreshold, o.gradientNormalizationThreshold) == 0
                && dataType == o.dataType;
    }

    protected int trainingFieldsHash() {
        return Objects.hash(name, updater, biasUpdater, regularization, regularizationBias, gradientNormalization,
                gradientNormalizationThreshold, dataType);
    }

    private void checkParam(String paramName) {
        if (!paramNames().contains(paramName)) {
            throw new IllegalStateException("Unknown parameter '" + paramName + "' of vertex '" + name
                    + "'; parameters: " + paramNames());
        }
    }

    // ---- TrainingConfig ----

    @Override
    @JsonIgnore // same value as "name": keep it out of the JSON
    public String getLayerName() {
        return name;
    }

    @Override
    public List<Regularization> getRegularizationByParam(String paramName) {
        checkParam(paramName);
        return isBiasParam(paramName) ? regularizationBias : regularization;
    }

    @Override
    public boolean isPretrainParam(String paramName) {
        return false;
    }

    @Override
    public IUpdater getUpdaterByParam(String paramName) {
        checkParam(paramName);
        if (isBiasParam(paramName) && biasUpdater != null) {
            return biasUpdater;
        }
        return updater;
    }

    @Override
    public GradientNormalization getGradientNormalization() {
        return gradientNormalization;
    }

    @Override
    public double getGradientNormalizationThreshold() {
        return gradientNormalizationThreshold;
    }

    @Override
    public void setDataType(DataType dataType) {
        this.dataType = dataType;
    }

    // ---- bean accessors (JSON and users) ----

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public IUpdater getUpdater() {
        return updater;
    }

    public void setUpdater(IUpdater updater) {
        this.updater = updater;
    }

    public IUpdater getBiasUpdater() {
        return biasUpdater;
    }

    public void setBiasUpdater(IUpdater biasUpdater) {
        this.biasUpdater = biasUpdater;
    }

    public List<Regularization> getRegularization() {
        return regularization;
    }

    public void setRegularization(List<Regularization> regularization) {
        this.regularization = regularization;
    }

    public List<Regularization> getRegularizationBias() {
        return regularizationBias;
    }

    public void setRegularizationBias(List<Regularization> regularizationBias) {
        this.regularizationBias = regularizationBias;
    }

    public void setGradientNormalization(GradientNormalization gradientNormalization) {
        this.gradientNormalization = gradientNormalization;
    }

    public void setGradientNormalizationThreshold(double gradientNormalizationThreshold) {
        this.gradientNormalizationThreshold = gradientNormalizationThreshold;
    }

    public DataType getDataType() {
        return dataType;
    }
}
