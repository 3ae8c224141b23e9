package ai.chorus.models.blocks;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;

/** Runtime of {@link TokenLinear}: one GEMM on the token rows [B·T, C] forward, two backward. */
public class TokenLinearLayer extends BaseLayer<TokenLinear> {

    public TokenLinearLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public boolean isPretrainLayer() {
        return false;
    }

    @Override
    public Type type() {
        return Type.RECURRENT;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr ws) {
        assertInputSet(false);
        applyDropOutIfNecessary(training, ws);
        long nIn = layerConf().getNIn();
        if (input.rank() != 3 || input.size(1) != nIn) {
            throw new IllegalStateException("TokenLinear " + layerId() + " expects input [B, " + nIn + ", T], got "
                    + Arrays.toString(input.shape()));
        }
        long b = input.size(0);
        long t = input.size(2);
        long nOut = layerConf().getNOut();
        INDArray x = TokenRows.rows(input, ws, ArrayType.FF_WORKING_MEM);
        INDArray out = TokenRows.newSequence(ws, ArrayType.ACTIVATIONS, input.dataType(), b, nOut, t);
        INDArray y = out.permute(0, 2, 1).reshape('c', b * t, nOut);
        Nd4j.gemm(x, params.get(DefaultParamInitializer.WEIGHT_KEY), y, false, false, 1.0, 0.0);
        y.addiRowVector(params.get(DefaultParamInitializer.BIAS_KEY));
        return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr ws) {
        assertInputSet(true);
        long b = input.size(0);
        long t = input.size(2);
        long nIn = layerConf().getNIn();
        long nOut = layerConf().getNOut();
        if (epsilon.rank() != 3 || epsilon.size(0) != b || epsilon.size(1) != nOut || epsilon.size(2) != t) {
            throw new IllegalStateException("TokenLinear " + layerId() + ": epsilon must be [" + b + ", " + nOut
                    + ", " + t + "], got " + Arrays.toString(epsilon.shape()));
        }
        INDArray x = TokenRows.rows(input, ws, ArrayType.BP_WORKING_MEM);
        INDArray dy = TokenRows.rows(epsilon, ws, ArrayType.BP_WORKING_MEM);
        INDArray gW = gradientViews.get(DefaultParamInitializer.WEIGHT_KEY);
        INDArray gB = gradientViews.get(DefaultParamInitializer.BIAS_KEY);
        Nd4j.gemm(x, dy, gW, true, false, 1.0, 0.0);
        RowOps.colSums(dy, gB.reshape('c', 1, nOut)); // DL4J's bias gradient view is rank 1: a [1, nOut] view of it
        INDArray epsIn = TokenRows.newSequence(ws, ArrayType.ACTIVATION_GRAD, input.dataType(), b, nIn, t);
        Nd4j.gemm(dy, params.get(DefaultParamInitializer.WEIGHT_KEY), epsIn.permute(0, 2, 1).reshape('c', b * t, nIn),
                false, true, 1.0, 0.0);
        Gradient gradient = new DefaultGradient(gradientsFlattened);
        gradient.gradientForVariable().put(DefaultParamInitializer.WEIGHT_KEY, gW);
        gradient.gradientForVariable().put(DefaultParamInitializer.BIAS_KEY, gB);
        return new Pair<>(gradient, backpropDropOutIfPresent(epsIn));
    }
}
