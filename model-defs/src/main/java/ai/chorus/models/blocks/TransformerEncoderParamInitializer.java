package ai.chorus.models.blocks;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.weights.IWeightInit;
import org.deeplearning4j.nn.weights.WeightInitXavier;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;
import java.util.Map;

/**
 * Parameters of a {@link TransformerEncoderLayer} of width C and MLP width F, in flattened order:
 * <pre>
 *   ln1g, ln1b [1, C]          LayerNorm before attention (gain 1, bias 0)
 *   Wq, Wk, Wv [C, C]          attention input projections (together the fused [C, 3C])
 *   bq, bk, bv [1, C]
 *   Wo [C, C], bo [1, C]       attention output projection
 *   ln2g, ln2b [1, C]          LayerNorm before the MLP
 *   W1 [C, F], b1 [1, F]       MLP up-projection
 *   W2 [F, C], b2 [1, C]       MLP down-projection
 * </pre>
 * Weight matrices (Wq, Wk, Wv, Wo, W1, W2) use the layer's weight init (default XAVIER) and its weight
 * regularization; biases and LayerNorm gains/biases are "bias" parameters (bias updater and bias
 * regularization, so weight decay skips them, as in open_clip).
 */
public final class TransformerEncoderParamInitializer implements ParamInitializer {

    public static final String LN1_GAIN = "ln1g";
    public static final String LN1_BIAS = "ln1b";
    public static final String WQ = "Wq";
    public static final String WK = "Wk";
    public static final String WV = "Wv";
    public static final String BQ = "bq";
    public static final String BK = "bk";
    public static final String BV = "bv";
    public static final String WO = "Wo";
    public static final String BO = "bo";
    public static final String LN2_GAIN = "ln2g";
    public static final String LN2_BIAS = "ln2b";
    public static final String W1 = "W1";
    public static final String B1 = "b1";
    public static final String W2 = "W2";
    public static final String B2 = "b2";

    private static final List<String> WEIGHTS = List.of(WQ, WK, WV, WO, W1, W2);
    private static final List<String> BIASES = List.of(LN1_GAIN, LN1_BIAS, BQ, BK, BV, BO, LN2_GAIN, LN2_BIAS, B1, B2);

    private static final TransformerEncoderParamInitializer INSTANCE = new TransformerEncoderParamInitializer();

    public static TransformerEncoderParamInitializer getInstance() {
        return INSTANCE;
    }

    static ParamLayout layout(long c, long f) {
        return new ParamLayout()
                .add(LN1_GAIN, 1, c).add(LN1_BIAS, 1, c)
                .add(WQ, c, c).add(WK, c, c).add(WV, c, c)
                .add(BQ, 1, c).add(BK, 1, c).add(BV, 1, c)
                .add(WO, c, c).add(BO, 1, c)
                .add(LN2_GAIN, 1, c).add(LN2_BIAS, 1, c)
                .add(W1, c, f).add(B1, 1, f)
                .add(W2, f, c).add(B2, 1, c);
    }

    static ParamLayout layout(Layer layer) {
        TransformerEncoderLayer l = (TransformerEncoderLayer) layer;
        if (l.getNIn() <= 0) {
            throw new IllegalStateException("TransformerEncoderLayer " + l.getLayerName()
                    + ": width nIn not set (set it on the builder or give the graph input types)");
        }
        return layout(l.getNIn(), l.hiddenSize());
    }

    @Override
    public long numParams(NeuralNetConfiguration conf) {
        return numParams(conf.getLayer());
    }

    @Override
    public long numParams(Layer layer) {
        return layout(layer).numParams();
    }

    @Override
    public List<String> paramKeys(Layer layer) {
        return layout(layer).names();
    }

    @Override
    public List<String> weightKeys(Layer layer) {
        return WEIGHTS;
    }

    @Override
    public List<String> biasKeys(Layer layer) {
        return BIASES;
    }

    @Override
    public boolean isWeightParam(Layer layer, String key) {
        return WEIGHTS.contains(key);
    }

    @Override
    public boolean isBiasParam(Layer layer, String key) {
        return BIASES.contains(key);
    }

    @Override
    public Map<String, INDArray> init(NeuralNetConfiguration conf, INDArray paramsView, boolean initializeParams) {
        TransformerEncoderLayer l = (TransformerEncoderLayer) conf.getLayer();
        Map<String, INDArray> p = layout(l).views(paramsView);
        if (initializeParams) {
            IWeightInit wi = l.getWeightInitFn() == null ? new WeightInitXavier() : l.getWeightInitFn();
            for (String k : WEIGHTS) {
                INDArray v = p.get(k);
                wi.init(v.size(0), v.size(1), v.shape(), 'f', v);
            }
            for (String k : List.of(BQ, BK, BV, BO, B1, B2)) {
                p.get(k).assign(l.getBiasInit());
            }
            p.get(LN1_GAIN).assign(1.0);
            p.get(LN2_GAIN).assign(1.0);
            p.get(LN1_BIAS).assign(0.0);
            p.get(LN2_BIAS).assign(0.0);
        }
        return p;
    }

    @Override
    public Map<String, INDArray> getGradientsFromFlattened(NeuralNetConfiguration conf, INDArray gradientView) {
        return layout(conf.getLayer()).views(gradientView);
    }
}
