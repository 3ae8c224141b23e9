package ai.chorus.models.blocks;

import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;

import java.util.Objects;

/**
 * DL4J's multi-class cross-entropy ({@link LossMCXENT}, same math, same softmax shortcut and clipping) multiplied
 * by a constant {@code scale}: score, per-example scores and gradient.
 *
 * <p>Why it exists: a ComputationGraph's score is the <em>sum</em> of its output layers' scores, and DL4J has no
 * per-output loss weight; LossMCXENT's own {@code weights} are per class, and for contrastive logits the classes
 * are the B samples of the minibatch, whose number changes with a smaller last minibatch. Scaling labels does not
 * work either: LossMCXENT's softmax gradient {@code p - y} assumes labels that sum to 1. So the symmetric InfoNCE
 * loss {@code (CE(A->B) + CE(B->A)) / 2} is two LossLayers with {@code scale = 0.5}.
 */
public class LossScaledMCXENT extends LossMCXENT {

    private double scale = 1.0;

    public LossScaledMCXENT() {
    }

    public LossScaledMCXENT(double scale) {
        this.scale = checkedScale(scale);
    }

    /** The one rule for a loss weight, shared with {@link LossMaskedInfoNce}: positive and finite. */
    static double checkedScale(double scale) {
        if (!(scale > 0) || Double.isInfinite(scale)) {
            throw new IllegalArgumentException("scale must be a positive finite number, got " + scale);
        }
        return scale;
    }

    @Override
    public double computeScore(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask,
                               boolean average) {
        return scale * super.computeScore(labels, preOutput, activationFn, mask, average);
    }

    @Override
    public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        return super.computeScoreArray(labels, preOutput, activationFn, mask).muli(scale);
    }

    // computeGradientAndScore of LossMCXENT calls these two overridden methods: it must not scale again.
    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        return super.computeGradient(labels, preOutput, activationFn, mask).muli(scale);
    }

    public double getScale() {
        return scale;
    }

    public void setScale(double scale) {
        this.scale = scale;
    }

    @Override
    public String name() {
        return toString();
    }

    @Override
    public String toString() {
        return "LossScaledMCXENT(scale=" + scale + ", softmaxClipEps=" + softmaxClipEps + ")";
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof LossScaledMCXENT)) {
            return false;
        }
        LossScaledMCXENT l = (LossScaledMCXENT) o;
        return Double.compare(scale, l.scale) == 0 && Double.compare(softmaxClipEps, l.softmaxClipEps) == 0
                && Objects.equals(weights, l.weights);
    }

    @Override
    protected boolean canEqual(Object other) {
        return other instanceof LossScaledMCXENT;
    }

    @Override
    public int hashCode() {
        return Objects.hash(scale, softmaxClipEps, weights);
    }
}
