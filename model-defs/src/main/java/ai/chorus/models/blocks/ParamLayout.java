package ai.chorus.models.blocks;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where each named parameter lives in a block's flattened parameter (or gradient) view: consecutive segments,
 * each a 2-D matrix in 'f' order (as DL4J's dense weights). Because of the 'f' order, consecutive matrices with
 * the same row count form one wider matrix: Wq, Wk, Wv [C, C] each, in that order, are also the fused
 * [C, 3C] = [Wq | Wk | Wv] that one GEMM projects with ({@link #span}).
 */
final class ParamLayout {

    private final Map<String, long[]> shapes = new LinkedHashMap<>();
    private final Map<String, Long> offsets = new LinkedHashMap<>();
    private long total;

    ParamLayout add(String name, long rows, long cols) {
        if (rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException("Parameter " + name + " has a non-positive size " + rows + "x" + cols);
        }
        if (shapes.put(name, new long[] {rows, cols}) != null) {
            throw new IllegalArgumentException("Duplicate parameter " + name);
        }
        offsets.put(name, total);
        total += rows * cols;
        return this;
    }

    long numParams() {
        return total;
    }

    List<String> names() {
        return Collections.unmodifiableList(new ArrayList<>(shapes.keySet()));
    }

    /** Views of every parameter, in layout order, into {@code flat} (any rank, length {@link #numParams()}). */
    Map<String, INDArray> views(INDArray flat) {
        INDArray f = rank1(flat);
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            long off = offsets.get(e.getKey());
            long[] s = e.getValue();
            out.put(e.getKey(), f.get(NDArrayIndex.interval(off, off + s[0] * s[1])).reshape('f', s[0], s[1]));
        }
        return out;
    }

    /**
     * One 'f'-order [rows, cols] view over the consecutive parameters {@code first} .. {@code last} (e.g. the
     * fused [Wq | Wk | Wv]).
     */
    INDArray span(INDArray flat, String first, String last, long rows, long cols) {
        long start = offsets.get(first);
        long end = offsets.get(last) + shapes.get(last)[0] * shapes.get(last)[1];
        if (end - start != rows * cols) {
            throw new IllegalStateException("Span " + first + ".." + last + " has " + (end - start)
                    + " values, not " + rows + "x" + cols);
        }
        return rank1(flat).get(NDArrayIndex.interval(start, end)).reshape('f', rows, cols);
    }

    private INDArray rank1(INDArray flat) {
        if (flat.length() != total) {
            throw new IllegalArgumentException("Parameter view has length " + flat.length() + ", layout needs "
                    + total);
        }
        return flat.rank() == 1 ? flat : flat.reshape(flat.length());
    }
}
