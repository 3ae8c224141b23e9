package ai.chorus.models.blocks;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;

/**
 * The wiring DL4J expects of every layer configuration's {@code instantiate}: the runtime gets its listeners,
 * index, its view of the graph's flat parameters, its parameter table (initialised or not, by the
 * configuration's own {@link ParamInitializer}) and its configuration. In one place so that the layers of this
 * package differ only in their checks and their runtime class; a static helper rather than a base class because
 * the configurations extend different DL4J bases (BaseLayer, FeedForwardLayer, NoParamLayer).
 */
final class LayerRuntimes {
    private LayerRuntimes() {
    }

    /** Wires {@code runtime} (a fresh runtime of {@code conf}'s layer) and returns it. */
    static Layer wire(Layer runtime, NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
                      int layerIndex, INDArray paramsView, boolean initializeParams, ParamInitializer initializer) {
        runtime.setListeners(listeners);
        runtime.setIndex(layerIndex);
        runtime.setParamsViewArray(paramsView);
        runtime.setParamTable(initializer.init(conf, paramsView, initializeParams));
        runtime.setConf(conf);
        return runtime;
    }
}
