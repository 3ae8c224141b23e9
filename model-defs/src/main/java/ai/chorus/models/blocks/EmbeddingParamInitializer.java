package ai.chorus.models.blocks;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.weights.IWeightInit;
import org.deeplearning4j.nn.weights.WeightInitXavier;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.random.impl.GaussianDistribution;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One {@link ParamInitializer} for the embedding-family layers ({@link PatchEmbedding}, {@link TokenEmbedding},
 * {@link LearnedPositions}): each configuration lists its parameters as {@link Param}s and this class lays them
 * out, in that order, in the flat parameter/gradient views DL4J hands over.
 *
 * <p>Weight-decay rule (open_clip's): matrices ({@link Kind#WEIGHT}: projection, token table, positions) take the
 * layer's {@code regularization}; vectors ({@link Kind#BIAS}: bias, class token) take {@code regularizationBias}
 * and the {@code biasUpdater} if one is set.
 */
public final class EmbeddingParamInitializer implements ParamInitializer {

    public static final EmbeddingParamInitializer INSTANCE = new EmbeddingParamInitializer();

    /** Implemented by the configurations this initializer serves. */
    public interface Spec {
        /** The parameters in flat-view order. Names must not contain '_' (DL4J's updater splits keys there). */
        List<Param> params();
    }

    public enum Kind { WEIGHT, BIAS }

    public enum Init {
        /** The layer's {@code weightInit} with fanIn = rows, fanOut = columns (Xavier if unset). */
        WEIGHT_INIT,
        /** Normal(0, std). */
        NORMAL,
        /** The constant {@code biasInit} (0 if unset). */
        BIAS_INIT,
        /** All ones (a LayerNorm gain). */
        ONES
    }

    /** A named block of the flat view, reshaped to {@code shape} in {@code order}. */
    public record Param(String name, long[] shape, char order, Kind kind, Init init, double std) {
        public Param {
            if (name.contains("_")) {
                throw new IllegalArgumentException("DL4J parameter names must not contain '_': " + name);
            }
        }

        long length() {
            long n = 1;
            for (long s : shape) {
                n *= s;
            }
            return n;
        }
    }

    private EmbeddingParamInitializer() {
    }

    private static List<Param> specOf(Layer layer) {
        if (!(layer instanceof Spec)) {
            throw new IllegalArgumentException("EmbeddingParamInitializer serves Chorus embedding layers, got "
                    + layer.getClass().getName());
        }
        return ((Spec) layer).params();
    }

    private static Param find(Layer layer, String key) {
        for (Param p : specOf(layer)) {
            if (p.name().equals(key)) {
                return p;
            }
        }
        return null;
    }

    @Override
    public long numParams(NeuralNetConfiguration conf) {
        return numParams(conf.getLayer());
    }

    @Override
    public long numParams(Layer layer) {
        long n = 0;
        for (Param p : specOf(layer)) {
            n += p.length();
        }
        return n;
    }

    @Override
    public List<String> paramKeys(Layer layer) {
        List<String> keys = new ArrayList<>();
        for (Param p : specOf(layer)) {
            keys.add(p.name());
        }
        return keys;
    }

    @Override
    public List<String> weightKeys(Layer layer) {
        return keysOfKind(layer, Kind.WEIGHT);
    }

    @Override
    public List<String> biasKeys(Layer layer) {
        return keysOfKind(layer, Kind.BIAS);
    }

    private static List<String> keysOfKind(Layer layer, Kind kind) {
        List<String> keys = new ArrayList<>();
        for (Param p : specOf(layer)) {
            if (p.kind() == kind) {
                keys.add(p.name());
            }
        }
        return keys;
    }

    @Override
    public boolean isWeightParam(Layer layer, String key) {
        Param p = find(layer, key);
        return p != null && p.kind() == Kind.WEIGHT;
    }

    @Override
    public boolean isBiasParam(Layer layer, String key) {
        Param p = find(layer, key);
        return p != null && p.kind() == Kind.BIAS;
    }

    @Override
    public Map<String, INDArray> init(NeuralNetConfiguration conf, INDArray paramsView, boolean initializeParams) {
        Layer layer = conf.getLayer();
        Map<String, INDArray> views = split(layer, paramsView);
        for (Param p : specOf(layer)) {
            conf.addVariable(p.name());
            if (initializeParams) {
                initialize(layer, p, views.get(p.name()));
            }
        }
        return views;
    }

    @Override
    public Map<String, INDArray> getGradientsFromFlattened(NeuralNetConfiguration conf, INDArray gradientView) {
        return split(conf.getLayer(), gradientView);
    }

    private Map<String, INDArray> split(Layer layer, INDArray flat) {
        long expected = numParams(layer);
        if (flat.length() != expected) {
            throw new IllegalStateException("Layer '" + layer.getLayerName() + "': expected a parameter view of length "
                    + expected + ", got " + flat.length());
        }
        INDArray vector = flat.reshape(flat.length());
        Map<String, INDArray> out = Collections.synchronizedMap(new LinkedHashMap<>());
        long offset = 0;
        for (Param p : specOf(layer)) {
            long n = p.length();
            INDArray block = vector.get(NDArrayIndex.interval(offset, offset + n));
            out.put(p.name(), block.reshape(p.order(), p.shape()));
            offset += n;
        }
        return out;
    }

    private static void initialize(Layer layer, Param p, INDArray view) {
        BaseLayer conf = (BaseLayer) layer;
        switch (p.init()) {
            case WEIGHT_INIT: {
                IWeightInit init = conf.getWeightInitFn() != null ? conf.getWeightInitFn() : new WeightInitXavier();
                long fanIn = p.shape()[0];
                long fanOut = p.shape().length > 1 ? p.shape()[1] : 1;
                // IWeightInit fills a scratch array of the right shape; copy it into our (possibly reshaped) view.
                INDArray scratch = Nd4j.createUninitialized(view.dataType(), p.shape(), p.order());
                init.init(fanIn, fanOut, p.shape(), p.order(), scratch);
                view.assign(scratch);
                break;
            }
            case NORMAL:
                Nd4j.getExecutioner().exec(new GaussianDistribution(view, 0.0, p.std()), Nd4j.getRandom());
                break;
            case BIAS_INIT:
                view.assign(Double.isNaN(conf.getBiasInit()) ? 0.0 : conf.getBiasInit());
                break;
            case ONES:
                view.assign(1.0);
                break;
            default:
                throw new IllegalStateException("Unknown init " + p.init());
        }
    }
}
