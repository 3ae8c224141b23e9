package ai.chorus.eval;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;

/** Small embedding sets for the eval tests. */
final class EvalTestData {
    private EvalTestData() {
    }

    /** Rows with entries in {-2..2}/4: dot products are exact in float, and many of them tie. */
    static INDArray coarse(int n, int d, Random random) {
        float[][] rows = new float[n][d];
        for (float[] r : rows) {
            for (int j = 0; j < d; j++) {
                r[j] = (random.nextInt(5) - 2) / 4f;
            }
        }
        return Nd4j.create(rows);
    }

    /** Every image has 1..maxCaptions captions; texts are shuffled so an image's captions are not adjacent. */
    static int[] imageOfText(int images, int maxCaptions, Random random) {
        int[] counts = new int[images];
        int texts = 0;
        for (int i = 0; i < images; i++) {
            counts[i] = 1 + random.nextInt(maxCaptions);
            texts += counts[i];
        }
        int[] owner = new int[texts];
        int t = 0;
        for (int i = 0; i < images; i++) {
            for (int c = 0; c < counts[i]; c++) {
                owner[t++] = i;
            }
        }
        for (int i = owner.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int tmp = owner[i];
            owner[i] = owner[j];
            owner[j] = tmp;
        }
        return owner;
    }

    /** Texts that are noisy copies of their image, so ranks spread over the whole range. */
    static INDArray captionsOf(INDArray images, int[] imageOfText, double noise, long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray texts = Nd4j.create(DataType.FLOAT, imageOfText.length, images.columns());
        for (int t = 0; t < imageOfText.length; t++) {
            texts.putRow(t, images.getRow(imageOfText[t]));
        }
        texts.addi(Nd4j.randn(DataType.FLOAT, texts.rows(), texts.columns()).muli(noise));
        return UnitRows.normalized(texts);
    }

    static double[][] similarity(INDArray queries, INDArray candidates) {
        return BruteForceRanking.toDouble(queries.mmul(candidates.transpose()).toFloatMatrix());
    }
}
