package ai.chorus.models.blocks;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

/** Runtime of {@link LayerNorm}: forward keeps the normalised input and 1/std for the explicit backward. */
public class LayerNormLayer extends BaseLayer<LayerNorm> {
    private INDArray xhat;
    private INDArray rstd;

    public LayerNormLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr mgr) {
        assertInputSet(false);
        if (input.rank() != 2 || input.size(1) != layerConf().getNOut()) {
            throw new IllegalStateException(layerId() + ": expected [B, " + layerConf().getNOut() + "], got "
                    + Arrays.toString(input.shape()));
        }
        INDArray x = input.dataType() == dataType ? input : input.castTo(dataType);
        long n = x.size(0);
        long c = x.size(1);
        // Kept for backward in the INPUT workspace, which lives until backprop is done (as the transformer block does).
        ArrayType keep = training ? ArrayType.INPUT : ArrayType.FF_WORKING_MEM;
        xhat = mgr.createUninitialized(keep, dataType, new long[] {n, c}, 'c');
        rstd = mgr.createUninitialized(keep, dataType, new long[] {n, 1}, 'c');
        INDArray y = mgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, new long[] {n, c}, 'c');
        LayerNormOps.forward(x, getParam(LayerNorm.GAIN), getParam(LayerNorm.BIAS), layerConf().getEps(), xhat, rstd, y,
                mgr, ArrayType.FF_WORKING_MEM);
        return y;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr mgr) {
        assertInputSet(true);
        if (xhat == null) {
            throw new IllegalStateException(layerId() + ": backprop needs a training forward pass (activate(true, ...)) first");
        }
        INDArray dGain = gradientViews.get(LayerNorm.GAIN);
        INDArray dBias = gradientViews.get(LayerNorm.BIAS);
        INDArray dx = mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, epsilon.shape(), 'c');
        LayerNormOps.backward(epsilon.dataType() == dataType ? epsilon : epsilon.castTo(dataType), xhat, rstd,
                getParam(LayerNorm.GAIN), dGain, dBias, dx, false, mgr, ArrayType.BP_WORKING_MEM);
        Gradient g = new DefaultGradient(gradientsFlattened);
        g.gradientForVariable().put(LayerNorm.GAIN, dGain);
        g.gradientForVariable().put(LayerNorm.BIAS, dBias);
        return new Pair<>(g, dx);
    }

    @Override
    public void clear() {
        super.clear();
        xhat = null;
        rstd = null;
    }

    @Override
    public boolean isPretrainLayer() {
        return false;
    }

    @Override
    public boolean hasBias() {
        return true;
    }
}
