package ai.chorus.eval;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Computes every query's rank against every candidate: in this JVM ({@link BlockwiseRanks}) or on Spark. */
public interface RankEngine {
    /** queries [Nq, D] and candidates [Nc, D], float32, rows L2-normalised (similarity = dot product). */
    QueryRanks ranks(INDArray queries, INDArray candidates, Relevance relevance);
}
