package ai.chorus.models.blocks;

import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.inputs.InvalidInputTypeException;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.IUpdater;

import java.util.List;
import java.util.Objects;

/**
 * Cross-attention from one sequence to another, as a plain DL4J graph vertex with parameters and an explicit
 * backward pass (runtime: {@link CrossAttentionVertexImpl}):
 * <pre>
 *   out = query + Dropout(MHA(LN_q(query), LN_kv(kv)))
 * </pre>
 * Queries come from the first input (e.g. text tokens), keys and values from the second (e.g. image patches).
 *
 * <p><b>Inputs/outputs.</b> Input 0: query sequence [B, Cq, Tq]; input 1: key/value sequence [B, Ckv, Tk]
 * (DL4J recurrent NCW; Tq and Tk may differ). Output: [B, Cq, Tq] (token-major, see {@link TokenRows}). The
 * attention width is Cq, split into {@code nHeads} heads.
 *
 * <p><b>Masks.</b> The kv mask [B, Tk] (1 real, 0 padding) masks keys; the query mask [B, Tq] zeroes the output
 * at padded query positions and is the vertex's output mask. Either may be absent.
 *
 * <p><b>Knobs.</b> {@code queryChannels} Cq and {@code kvChannels} Ckv (inferred from the graph's input types
 * when not set), {@code nHeads} (must divide Cq), {@code dropout} (default 0; probability of ZEROING, PyTorch
 * convention), {@code layerNormEps} (1e-5), {@code weightInit} (XAVIER). Updater/regularization: see
 * {@link TrainableVertexConfig}.
 *
 * <p><b>Parameters</b> (flattened order): lnqg, lnqb [1, Cq]; lnkvg, lnkvb [1, Ckv]; Wq [Cq, Cq]; Wk, Wv
 * [Ckv, Cq]; bq, bk, bv [1, Cq]; Wo [Cq, Cq]; bo [1, Cq]. Wq, Wk, Wv, Wo are weights; the rest are bias-like.
 */
public class CrossAttentionVertex extends TrainableVertexConfig {

    public static final String LNQ_GAIN = "lnqg";
    public static final String LNQ_BIAS = "lnqb";
    public static final String LNKV_GAIN = "lnkvg";
    public static final String LNKV_BIAS = "lnkvb";
    public static final String WQ = "Wq";
    public static final String WK = "Wk";
    public static final String WV = "Wv";
    public static final String BQ = "bq";
    public static final String BK = "bk";
    public static final String BV = "bv";
    public static final String WO = "Wo";
    public static final String BO = "bo";

    private static final List<String> WEIGHTS = List.of(WQ, WK, WV, WO);
    private static final List<String> NAMES =
            List.of(LNQ_GAIN, LNQ_BIAS, LNKV_GAIN, LNKV_BIAS, WQ, WK, WV, BQ, BK, BV, WO, BO);

    private long queryChannels;
    private long kvChannels;
    private int nHeads;
    private double dropout = 0.0;
    private double layerNormEps = LayerNormOps.DEFAULT_EPS;
    private WeightInit weightInit = WeightInit.XAVIER;

    /** For JSON; use {@link #builder()}. */
    public CrossAttentionVertex() {
    }

    public static Builder builder() {
        return new Builder();
    }

    ParamLayout layout() {
        if (queryChannels <= 0 || kvChannels <= 0) {
            throw new IllegalStateException(describe() + ": queryChannels and kvChannels must be set (builder, or "
                    + "graph input types), got " + queryChannels + " and " + kvChannels);
        }
        long q = queryChannels;
        long kv = kvChannels;
        return new ParamLayout()
                .add(LNQ_GAIN, 1, q).add(LNQ_BIAS, 1, q).add(LNKV_GAIN, 1, kv).add(LNKV_BIAS, 1, kv)
                .add(WQ, q, q).add(WK, kv, q).add(WV, kv, q)
                .add(BQ, 1, q).add(BK, 1, q).add(BV, 1, q)
                .add(WO, q, q).add(BO, 1, q);
    }

    void validate() {
        if (nHeads <= 0) {
            throw new IllegalStateException(describe() + ": nHeads must be positive, got " + nHeads);
        }
        if (queryChannels > 0 && queryChannels % nHeads != 0) {
            throw new IllegalStateException(describe() + ": queryChannels=" + queryChannels
                    + " (the attention width) must be divisible by nHeads=" + nHeads);
        }
        ResidualDropout.validate(dropout);
        if (!(layerNormEps > 0)) {
            throw new IllegalStateException(describe() + ": layerNormEps must be positive, got " + layerNormEps);
        }
    }

    private String describe() {
        return "CrossAttentionVertex" + (name == null ? "" : " '" + name + "'");
    }

    @Override
    protected boolean isBiasParam(String paramName) {
        return !WEIGHTS.contains(paramName);
    }

    @Override
    public List<String> paramNames() {
        return NAMES;
    }

    @Override
    public long numParams(boolean backprop) {
        return layout().numParams();
    }

    @Override
    public int minVertexInputs() {
        return 2;
    }

    @Override
    public int maxVertexInputs() {
        return 2;
    }

    @Override
    public org.deeplearning4j.nn.graph.vertex.GraphVertex instantiate(ComputationGraph graph, String name, int idx,
                                                                      INDArray paramsView, boolean initializeParams,
                                                                      DataType networkDatatype) {
        validate();
        inheritFromGraph(graph, name);
        return new CrossAttentionVertexImpl(graph, name, idx, this, paramsView, initializeParams, networkDatatype);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType... vertexInputs) throws InvalidInputTypeException {
        if (vertexInputs.length != 2) {
            throw new InvalidInputTypeException(describe() + " needs 2 inputs (query, kv), got " + vertexInputs.length);
        }
        InputType.InputTypeRecurrent q = recurrent(vertexInputs[0], "query");
        InputType.InputTypeRecurrent kv = recurrent(vertexInputs[1], "kv");
        if (queryChannels <= 0) {
            queryChannels = q.getSize();
        }
        if (kvChannels <= 0) {
            kvChannels = kv.getSize();
        }
        if (q.getSize() != queryChannels || kv.getSize() != kvChannels) {
            throw new InvalidInputTypeException(describe() + " was configured for query/kv channels " + queryChannels
                    + "/" + kvChannels + " but gets " + q.getSize() + "/" + kv.getSize());
        }
        validate();
        return InputType.recurrent(queryChannels, q.getTimeSeriesLength(), RNNFormat.NCW);
    }

    private InputType.InputTypeRecurrent recurrent(InputType t, String which) {
        if (t.getType() != InputType.Type.RNN) {
            throw new InvalidInputTypeException(describe() + ": " + which
                    + " input must be a sequence [B, C, T] (InputType.recurrent), got " + t);
        }
        InputType.InputTypeRecurrent r = (InputType.InputTypeRecurrent) t;
        if (r.getFormat() != null && r.getFormat() != RNNFormat.NCW) {
            throw new InvalidInputTypeException(describe() + ": " + which + " input must be NCW, got " + r.getFormat());
        }
        return r;
    }

    @Override
    public MemoryReport getMemoryReport(InputType... inputTypes) {
        InputType out = getOutputType(-1, inputTypes);
        long tq = Math.max(1, ((InputType.InputTypeRecurrent) inputTypes[0]).getTimeSeriesLength());
        long tk = Math.max(1, ((InputType.InputTypeRecurrent) inputTypes[1]).getTimeSeriesLength());
        long q = queryChannels;
        long kv = kvChannels;
        // Kept per example: LN outputs and xhat of both inputs, Q, K|V, attention weights, head outputs.
        long kept = tq * (2 * q + q + q) + tk * (2 * kv + 2 * q) + (long) nHeads * tq * tk;
        return new LayerMemoryReport.Builder(name, CrossAttentionVertex.class, inputTypes[0], out)
                .standardMemory(numParams(true), 0)
                .workingMemory(0, tq * 2 * q + (long) nHeads * tq * tk, 0, kept + tq * 2 * q)
                .cacheMemory(0, 0)
                .build();
    }

    @Override
    public CrossAttentionVertex clone() {
        CrossAttentionVertex c = new CrossAttentionVertex();
        c.queryChannels = queryChannels;
        c.kvChannels = kvChannels;
        c.nHeads = nHeads;
        c.dropout = dropout;
        c.layerNormEps = layerNormEps;
        c.weightInit = weightInit;
        return copyTrainingFieldsTo(c);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof CrossAttentionVertex)) {
            return false;
        }
        CrossAttentionVertex v = (CrossAttentionVertex) o;
        return queryChannels == v.queryChannels && kvChannels == v.kvChannels && nHeads == v.nHeads
                && Double.compare(dropout, v.dropout) == 0 && Double.compare(layerNormEps, v.layerNormEps) == 0
                && weightInit == v.weightInit && trainingFieldsEqual(v);
    }

    @Override
    public int hashCode() {
        return Objects.hash(queryChannels, kvChannels, nHeads, dropout, layerNormEps, weightInit,
                trainingFieldsHash());
    }

    @Override
    public String toString() {
        return "CrossAttentionVertex(queryChannels=" + queryChannels + ", kvChannels=" + kvChannels + ", nHeads="
                + nHeads + ", dropout=" + dropout + ", layerNormEps=" + layerNormEps + ", weightInit=" + weightInit
                + ")";
    }

    // ---- bean accessors (JSON) ----

    public long getQueryChannels() {
        return queryChannels;
    }

    public void setQueryChannels(long queryChannels) {
        this.queryChannels = queryChannels;
    }

    public long getKvChannels() {
        return kvChannels;
    }

    public void setKvChannels(long kvChannels) {
        this.kvChannels = kvChannels;
    }

    public int getNHeads() {
        return nHeads;
    }

    public void setNHeads(int nHeads) {
        this.nHeads = nHeads;
    }

    public double getDropout() {
        return dropout;
    }

    public void setDropout(double dropout) {
        this.dropout = dropout;
    }

    public double getLayerNormEps() {
        return layerNormEps;
    }

    public void setLayerNormEps(double layerNormEps) {
        this.layerNormEps = layerNormEps;
    }

    public WeightInit getWeightInit() {
        return weightInit;
    }

    public void setWeightInit(WeightInit weightInit) {
        this.weightInit = weightInit;
    }

    /** Builder; {@code nHeads} is required, channels are inferred from input types when not given. */
    public static final class Builder {
        private final CrossAttentionVertex v = new CrossAttentionVertex();

        /** Cq: channels of the query sequence, also the attention and output width. */
        public Builder queryChannels(long c) {
            if (c <= 0) {
                throw new IllegalArgumentException("queryChannels must be positive, got " + c);
            }
            v.queryChannels = c;
            return this;
        }

        /** Ckv: channels of the key/value sequence. */
        public Builder kvChannels(long c) {
            if (c <= 0) {
                throw new IllegalArgumentException("kvChannels must be positive, got " + c);
            }
            v.kvChannels = c;
            return this;
        }

        /** Number of heads; must divide queryChannels. */
        public Builder nHeads(int nHeads) {
            if (nHeads <= 0) {
                throw new IllegalArgumentException("nHeads must be positive, got " + nHeads);
            }
            v.nHeads = nHeads;
            return this;
        }

        /** Residual dropout: probability of ZEROING (PyTorch convention), in [0, 1). Default 0. */
        public Builder dropout(double p) {
            ResidualDropout.validate(p);
            v.dropout = p;
            return this;
        }

        public Builder layerNormEps(double eps) {
            if (!(eps > 0)) {
                throw new IllegalArgumentException("layerNormEps must be positive, got " + eps);
            }
            v.layerNormEps = eps;
            return this;
        }

        /** Initialisation of Wq, Wk, Wv, Wo. Default XAVIER. DISTRIBUTION is not supported. */
        public Builder weightInit(WeightInit wi) {
            if (wi == null || wi == WeightInit.DISTRIBUTION) {
                throw new IllegalArgumentException("weightInit must be a non-DISTRIBUTION WeightInit, got " + wi);
            }
            v.weightInit = wi;
            return this;
        }

        /** Updater for all parameters; default: inherited from the graph (see {@link TrainableVertexConfig}). */
        public Builder updater(IUpdater updater) {
            v.updater = updater;
            return this;
        }

        public CrossAttentionVertex build() {
            if (v.nHeads <= 0) {
                throw new IllegalStateException("nHeads is required");
            }
            v.validate();
            return v.clone();
        }
    }
}
