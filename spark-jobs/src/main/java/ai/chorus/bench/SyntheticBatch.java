package ai.chorus.bench;

import ai.chorus.models.InputShapes;
import ai.chorus.models.ModelIO;
import ai.chorus.models.ModelInputs;
import ai.chorus.models.blocks.ContrastiveHeads;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Random;

/**
 * A random minibatch of the right shapes for any model, from its {@link ModelIO} and the input conventions
 * ({@link ModelInputs}): images and video in [0, 1], standardised-looking audio (unit normal), full-length token
 * sequences (start id, random ids, end id; mask all real), every {@code <modality>Present} flag 1. Labels: the
 * identity for contrastive outputs, random one-hot rows for class outputs. Speed does not depend on the values,
 * only on the shapes, so this measures what real data would.
 */
final class SyntheticBatch {
    private SyntheticBatch() {
    }

    static MultiDataSet of(ModelIO io, InputShapes shapes, int batch, long seed) {
        Random random = new Random(seed);
        Nd4j.getRandom().setSeed(seed);
        List<String> inputs = io.inputs();
        INDArray[] features = new INDArray[inputs.size()];
        INDArray[] masks = new INDArray[inputs.size()];
        boolean anyMask = false;
        for (int i = 0; i < features.length; i++) {
            String input = inputs.get(i);
            long[] shape = ModelInputs.shape(input, shapes, batch);
            if (ModelInputs.isPresence(input)) {
                features[i] = Nd4j.ones(DataType.FLOAT, shape);
            } else if (ModelInputs.hasMask(input)) {
                features[i] = tokenIds(shape, shapes.vocabSize(), random);
                masks[i] = Nd4j.ones(DataType.FLOAT, batch, shape[2]);
                anyMask = true;
            } else if (input.equals("audio")) {
                features[i] = Nd4j.randn(DataType.FLOAT, shape);
            } else {
                features[i] = Nd4j.rand(DataType.FLOAT, shape);
            }
        }
        INDArray[] labels = new INDArray[io.outputs().size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = switch (io.labels()) {
                case ModelIO.IDENTITY_LABELS -> ContrastiveHeads.identityLabels(batch, 0, DataType.FLOAT);
                case ModelIO.CLASS_LABELS -> oneHot(batch, shapes.numClasses(), random);
                default -> throw new IllegalArgumentException("unknown label kind '" + io.labels() + "' of the model");
            };
        }
        return new MultiDataSet(features, labels, anyMask ? masks : null, null);
    }

    /** Ids [B, 1, T] as floats: start 1, then random ids in [3, vocab), end 2 at the last position. */
    private static INDArray tokenIds(long[] shape, int vocab, Random random) {
        if (vocab <= 3) {
            throw new IllegalArgumentException("a vocabulary of " + vocab + " has no room for ids past start/end/pad");
        }
        int b = (int) shape[0];
        int t = (int) shape[2];
        float[] ids = new float[b * t];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < t; j++) {
                ids[i * t + j] = j == 0 ? 1 : j == t - 1 ? 2 : 3 + random.nextInt(vocab - 3);
            }
        }
        return Nd4j.create(ids, shape, 'c');
    }

    private static INDArray oneHot(int batch, int classes, Random random) {
        if (classes < 2) {
            throw new IllegalArgumentException("a classifier needs at least 2 classes, got " + classes);
        }
        INDArray labels = Nd4j.zeros(DataType.FLOAT, batch, classes);
        for (int i = 0; i < batch; i++) {
            labels.putScalar(i, random.nextInt(classes), 1.0);
        }
        return labels;
    }
}
