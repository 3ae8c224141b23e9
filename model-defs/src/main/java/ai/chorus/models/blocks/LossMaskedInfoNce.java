package ai.chorus.models.blocks;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.Arrays;

/**
 * Softmax cross-entropy of contrastive logits in which some pairs are absent, times a constant {@code scale}.
 * Its input is the [B, B] output of a {@link ContrastiveLogitsVertex} fed presence inputs (or its transpose):
 * an absent pair's logit is -infinity. Row i is one query against the candidates j of its row:
 * <ul>
 *   <li>a logit of -infinity is no candidate: its softmax weight and its gradient are exactly 0, and its label
 *       is dropped (the label row is renormalised over the candidates, which leaves identity labels as they are
 *       and keeps smoothed labels summing to 1);</li>
 *   <li>a row without a finite logit is no query: it adds 0 to the loss and gets 0 gradient;</li>
 *   <li>the loss is {@code scale} times the mean over the n query rows. DL4J's LossLayer divides the summed score
 *       (and its updater the gradient) by the minibatch B, so each query row is weighted B / n here.</li>
 * </ul>
 * With fewer than 2 queries the loss is 0 with zero gradient (one query has one candidate, itself: p = 1);
 * without any -infinity it is LossMCXENT's softmax cross-entropy (unclipped) times {@code scale}.
 *
 * <p>Why the absence travels in the logits: a ComputationGraph sets its output layers' masks from the label
 * masks the data gives (M2.1 {@code computeGradientAndScore} overwrites them, null or not, before scoring), so
 * a mask made inside the graph cannot reach the loss; an additive log-mask (log 0 = -infinity) can, and it
 * survives the transpose of the symmetric loss. Use with {@code Activation.IDENTITY}: this loss applies its own
 * masked softmax. Label masks are refused (absence is the graph's business, see {@link ContrastiveHeads}).
 */
public class LossMaskedInfoNce implements ILossFunction {

    private double scale = 1.0;

    /** For JSON. */
    public LossMaskedInfoNce() {
    }

    public LossMaskedInfoNce(double scale) {
        this.scale = LossScaledMCXENT.checkedScale(scale);
    }

    /** Per-row results: the weighted scores [B, 1] and the gradient w.r.t. the logits [B, B]. */
    private Pair<INDArray, INDArray> scoresAndGradient(INDArray labels, INDArray logits, IActivation activationFn,
                                                       INDArray mask, boolean withGradient) {
        if (!(activationFn instanceof ActivationIdentity)) {
            throw new IllegalStateException("LossMaskedInfoNce takes raw logits: use Activation.IDENTITY, got "
                    + activationFn);
        }
        if (mask != null) {
            throw new IllegalStateException("LossMaskedInfoNce takes no label mask: absent pairs are the -infinity "
                    + "logits made from the graph's presence inputs (got a mask " + Arrays.toString(mask.shape())
                    + ")");
        }
        long b = logits.size(0);
        if (logits.rank() != 2 || logits.size(1) != b || !Arrays.equals(labels.shape(), logits.shape())) {
            throw new IllegalStateException("LossMaskedInfoNce expects square [B, B] logits and labels, got "
                    + Arrays.toString(logits.shape()) + " and " + Arrays.toString(labels.shape()));
        }
        INDArray z = logits;
        INDArray candidate = z.gt(Double.NEGATIVE_INFINITY).castTo(z.dataType());
        INDArray query = candidate.max(true, 1);
        // Shift by the row max of the candidates (0 for rows without any, which would give -inf - -inf).
        INDArray rowMax = z.max(true, 1);
        BooleanIndexing.replaceWhere(rowMax, 0.0, Conditions.isInfinite());
        INDArray p = Transforms.exp(z.subColumnVector(rowMax), false); // exp(-inf) = 0
        INDArray sum = p.sum(true, 1).addi(query.rsub(1.0)); // rows without candidates: 0 + 1
        p.diviColumnVector(sum);
        INDArray logSumExp = Transforms.log(sum, false).addi(rowMax);

        // Labels on candidates only, renormalised per row (a row with none keeps zeros).
        INDArray y = labels.castTo(z.dataType()).mul(candidate);
        INDArray mass = y.sum(true, 1);
        mass.addi(mass.eq(0.0).castTo(z.dataType()));
        y.diviColumnVector(mass);
        INDArray ySum = y.sum(true, 1);

        // CE_i = sum_j y_ij (lse_i - z_ij); absent logits enter as 0 (their y is 0) rather than 0 * -inf.
        INDArray zFinite = z.dup();
        BooleanIndexing.replaceWhere(zFinite, 0.0, Conditions.isInfinite());
        INDArray ce = logSumExp.mul(ySum).subi(y.mul(zFinite).sum(true, 1));

        double n = query.sumNumber().doubleValue();
        INDArray weight = query.muli(n > 0 ? scale * b / n : 0.0);
        INDArray scores = ce.muli(weight);
        INDArray grad = null;
        if (withGradient) {
            // d CE_i / d z_ij = p_ij * sum_k y_ik - y_ij
            grad = p.muliColumnVector(ySum).subi(y).muliColumnVector(weight);
        }
        return new Pair<>(scores, grad);
    }

    @Override
    public double computeScore(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask,
                               boolean average) {
        INDArray scores = scoresAndGradient(labels, preOutput, activationFn, mask, false).getFirst();
        double sum = scores.sumNumber().doubleValue();
        return average ? sum / preOutput.size(0) : sum;
    }

    @Override
    public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        return scoresAndGradient(labels, preOutput, activationFn, mask, false).getFirst();
    }

    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        return scoresAndGradient(labels, preOutput, activationFn, mask, true).getSecond();
    }

    @Override
    public Pair<Double, INDArray> computeGradientAndScore(INDArray labels, INDArray preOutput, IActivation activationFn,
                                                          INDArray mask, boolean average) {
        Pair<INDArray, INDArray> r = scoresAndGradient(labels, preOutput, activationFn, mask, true);
        double sum = r.getFirst().sumNumber().doubleValue();
        return new Pair<>(average ? sum / preOutput.size(0) : sum, r.getSecond());
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
        return "LossMaskedInfoNce(scale=" + scale + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LossMaskedInfoNce && Double.compare(scale, ((LossMaskedInfoNce) o).scale) == 0;
    }

    @Override
    public int hashCode() {
        return Double.hashCode(scale);
    }
}
