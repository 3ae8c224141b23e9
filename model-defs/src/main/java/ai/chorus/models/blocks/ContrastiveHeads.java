package ai.chorus.models.blocks;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.MultiDataSetPreProcessor;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Symmetric InfoNCE (CLIP's loss) as plain DL4J graph pieces:
 * <pre>
 *   embA, embB --&gt; [prefix]logits  (ContrastiveLogitsVertex, [B, B])
 *                     |--&gt; [prefix]lossAtoB  LossLayer(softmax, LossScaledMCXENT(0.5))   rows: A_i against all B_j
 *                     '--&gt; [prefix]logitsT (TransposeVertex)
 *                             '--&gt; [prefix]lossBtoA  LossLayer(softmax, LossScaledMCXENT(0.5))  rows: B_j against all A_i
 * </pre>
 * Both loss layers take identity labels [B, B] ({@link #identityLabels}). A ComputationGraph's score is the sum of
 * its output layers' scores and each LossLayer averages over its B rows, so with the 0.5 scale in each loss the
 * graph's score is exactly CLIP's {@code (CE(A->B) + CE(B->A)) / 2} (see {@link LossScaledMCXENT} for why the
 * scale lives in the loss function). Add the two loss layers' names to the graph outputs
 * ({@link Names#outputs()}), and give the graph two label arrays per minibatch, e.g. with
 * {@link #identityLabelsPreProcessor}.
 */
public final class ContrastiveHeads {

    public static final String LOGITS = "logits";
    public static final String LOGITS_TRANSPOSED = "logitsT";
    public static final String LOSS_A_TO_B = "lossAtoB";
    public static final String LOSS_B_TO_A = "lossBtoA";

    private ContrastiveHeads() {
    }

    /** Names of the vertices added by {@link #addSymmetricInfoNce}. */
    public record Names(String logits, String logitsTransposed, String lossAToB, String lossBToA) {
        /** The two loss layers, in the order their labels are expected: A-to-B, then B-to-A. */
        public String[] outputs() {
            return new String[] {lossAToB, lossBToA};
        }
    }

    /** Adds the symmetric InfoNCE head with CLIP's defaults (temperature 0.07, scale clamped at 100). */
    public static Names addSymmetricInfoNce(GraphBuilder graph, String embA, String embB, String prefix) {
        return addSymmetricInfoNce(graph, embA, embB, prefix, new ContrastiveLogitsVertex());
    }

    /**
     * Adds {@code logitsVertex} on (embA, embB), its transpose and the two half-weighted cross-entropy loss layers.
     * The vertex gets the graph's global updater/regularization for its fields still unset.
     * The caller still sets the graph outputs (this does not replace outputs already set).
     */
    public static Names addSymmetricInfoNce(GraphBuilder graph, String embA, String embB, String prefix,
                                            ContrastiveLogitsVertex logitsVertex) {
        Names names = addLogits(graph, prefix, logitsVertex, embA, embB);
        graph.addLayer(names.lossAToB(), halfCrossEntropy(), names.logits());
        graph.addLayer(names.lossBToA(), halfCrossEntropy(), names.logitsTransposed());
        return names;
    }

    /**
     * The symmetric InfoNCE head of one pair of modalities of a model whose samples may lack some modalities:
     * as {@link #addSymmetricInfoNce}, but {@code logitsVertex} also takes the {@code presence} inputs ([B, 1],
     * 1 present / 0 absent, e.g. {@code imagePresent}, {@code audioPresent}), so a sample absent from either side
     * is neither a query nor a negative of this pair, and the two loss layers are {@link LossMaskedInfoNce} with
     * scale {@code weight / 2}: the graph's score gets {@code weight * (CE(A->B) + CE(B->A)) / 2}, each CE the mean
     * over the pairs present in the minibatch (0 with fewer than 2). Labels: identity [B, B] for both outputs, as
     * for {@link #addSymmetricInfoNce}; the data side gives no masks. The loss layers' activations (what
     * {@code output()} returns) are the raw logits, -infinity at absent pairs.
     */
    public static Names addMaskedSymmetricInfoNce(GraphBuilder graph, String embA, String embB, String prefix,
                                                  ContrastiveLogitsVertex logitsVertex, double weight,
                                                  String... presence) {
        if (presence.length == 0) {
            throw new IllegalArgumentException("give the presence inputs of the pair " + embA + ", " + embB
                    + " (or use addSymmetricInfoNce)");
        }
        String[] inputs = new String[2 + presence.length];
        inputs[0] = embA;
        inputs[1] = embB;
        System.arraycopy(presence, 0, inputs, 2, presence.length);
        Names names = addLogits(graph, prefix, logitsVertex, inputs);
        graph.addLayer(names.lossAToB(), maskedCrossEntropy(weight / 2), names.logits());
        graph.addLayer(names.lossBToA(), maskedCrossEntropy(weight / 2), names.logitsTransposed());
        return names;
    }

    private static Names addLogits(GraphBuilder graph, String prefix, ContrastiveLogitsVertex logitsVertex,
                                   String... inputs) {
        String p = prefix == null ? "" : prefix;
        Names names = new Names(p + LOGITS, p + LOGITS_TRANSPOSED, p + LOSS_A_TO_B, p + LOSS_B_TO_A);
        logitsVertex.applyGlobalConfig(graph.getGlobalConfiguration());
        graph.addVertex(names.logits(), logitsVertex, inputs);
        graph.addVertex(names.logitsTransposed(), new TransposeVertex(), names.logits());
        return names;
    }

    private static LossLayer maskedCrossEntropy(double scale) {
        return new LossLayer.Builder(new LossMaskedInfoNce(scale)).activation(Activation.IDENTITY).build();
    }

    private static LossLayer halfCrossEntropy() {
        return new LossLayer.Builder(new LossScaledMCXENT(0.5)).activation(Activation.SOFTMAX).build();
    }

    /**
     * Targets of the contrastive cross-entropy: {@code (1 - smoothing) I + smoothing / B}, each row summing to 1.
     * {@code smoothing = 0} is CLIP; ALIGN uses 0.1.
     */
    public static INDArray identityLabels(long batchSize, double smoothing, DataType dataType) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batchSize must be positive, got " + batchSize);
        }
        if (!(smoothing >= 0) || smoothing >= 1) {
            throw new IllegalArgumentException("label smoothing must be in [0, 1), got " + smoothing);
        }
        INDArray eye = Nd4j.eye(batchSize).castTo(dataType);
        if (smoothing == 0) {
            return eye;
        }
        return eye.muli(1.0 - smoothing).addi(smoothing / batchSize);
    }

    /**
     * A pre-processor that sets the labels at {@code labelIndices} of every MultiDataSet to
     * {@link #identityLabels} sized by the minibatch (rows of the first features array), in the features' data
     * type; other labels are left as they are. Iterators then need no label arrays for the contrastive outputs,
     * and a smaller last minibatch gets correctly sized labels.
     */
    public static MultiDataSetPreProcessor identityLabelsPreProcessor(double smoothing, int... labelIndices) {
        if (labelIndices.length == 0) {
            throw new IllegalArgumentException("give the indices of the contrastive outputs' labels, e.g. 0, 1");
        }
        identityLabels(1, smoothing, DataType.FLOAT); // validates smoothing now rather than at the first batch
        int[] idx = labelIndices.clone();
        return (MultiDataSetPreProcessor) (MultiDataSet mds) -> {
            INDArray f = mds.getFeatures(0);
            int needed = 0;
            for (int i : idx) {
                needed = Math.max(needed, i + 1);
            }
            INDArray[] labels = mds.getLabels();
            if (labels == null || labels.length < needed) {
                INDArray[] grown = new INDArray[needed];
                if (labels != null) {
                    System.arraycopy(labels, 0, grown, 0, labels.length);
                }
                labels = grown;
            }
            INDArray eye = identityLabels(f.size(0), smoothing, f.dataType());
            boolean first = true;
            for (int i : idx) {
                labels[i] = first ? eye : eye.dup(); // no aliasing between outputs
                first = false;
            }
            mds.setLabels(labels);
        };
    }
}
