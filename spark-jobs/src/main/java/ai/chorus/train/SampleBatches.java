package ai.chorus.train;

import ai.chorus.models.InputShapes;
import ai.chorus.models.ModelIO;
import ai.chorus.models.blocks.ContrastiveHeads;
import org.apache.spark.sql.Row;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns rows of a prepared dataset's {@code samples/} into one minibatch for a model: features in the order of
 * {@link ModelIO#inputs()}, float32, in the input conventions every Chorus model shares:
 * <ul>
 *   <li>{@code image} [B, 3, H, W] in [0, 1] from the stored uint8 HWC pixels;</li>
 *   <li>{@code text} token ids [B, 1, T] (as floats) with a [B, T] feature mask (1 real, 0 padding), one caption
 *       per sample chosen by {@link CaptionChoice} from (seed, epoch, key);</li>
 *   <li>{@code audio} log-mel [B, 1, nMels, frames], cropped or zero-padded to the model's frames and standardised
 *       per example;</li>
 *   <li>{@code video} [B, T * 3, H, W] in [0, 1], channel {@code t * 3 + c} = colour c of frame t;</li>
 *   <li>{@code <modality>Present} [B, 1]: 1 when the sample has that modality, else 0 with zeros in that modality's
 *       arrays. A model without such an input needs the modality in every sample.</li>
 * </ul>
 * Labels, one per output: identity matrices (with the configured label smoothing) for
 * {@link ModelIO#IDENTITY_LABELS}, one-hot rows over a fixed class list for {@link ModelIO#CLASS_LABELS}.
 * A row that does not fit fails with a {@link SampleFieldException} naming its key and the column.
 *
 * <p>Not thread-safe (it caches the rows' column positions); one per thread or partition.
 */
public final class SampleBatches implements Batcher {
    /** The modalities a model input can name, with the column that says whether a sample has it. */
    enum Modality {
        IMAGE("image", "image_rgb"), TEXT("text", "token_ids"), AUDIO("audio", "audio_log_mel"),
        VIDEO("video", "video_frames");

        final String input;
        final String column;

        Modality(String input, String column) {
            this.input = input;
            this.column = column;
        }

        static Modality named(String input) {
            for (Modality m : values()) {
                if (m.input.equals(input)) {
                    return m;
                }
            }
            return null;
        }
    }

    /** One graph input: a modality's tensor, or its presence flag. */
    private record Input(Modality modality, boolean presenceFlag) implements java.io.Serializable {
    }

    private final ModelIO io;
    private final InputShapes shapes;
    private final double labelSmoothing;
    private final List<String> classes;
    private final Map<String, Integer> classIndex = new HashMap<>();
    private final CaptionChoice captions;
    private final List<Input> inputs = new ArrayList<>();
    /** Modalities a sample may lack (the model has their presence input). */
    private final boolean[] optional = new boolean[Modality.values().length];
    private transient SampleRow.Columns columns;

    /**
     * @param io             the model's inputs, outputs and label kind
     * @param shapes         the shapes the model was built for ({@link DatasetShapes})
     * @param labelSmoothing smoothing of identity labels (CLIP 0, ALIGN 0.1); unused for class labels
     * @param classes        the fixed class list of a classifier (index = one-hot position; see
     *                       {@link DatasetShapes#trainClasses}); empty for contrastive models
     * @param captionSeed    seed of the per-epoch caption choice
     */
    public SampleBatches(ModelIO io, InputShapes shapes, double labelSmoothing, List<String> classes, long captionSeed) {
        this.io = io;
        this.shapes = shapes;
        this.labelSmoothing = labelSmoothing;
        this.classes = List.copyOf(classes);
        this.captions = new CaptionChoice(captionSeed);
        for (String name : io.inputs()) {
            boolean flag = ModelIO.isPresenceInput(name);
            Modality m = Modality.named(flag ? ModelIO.modalityOfPresence(name) : name);
            if (m == null) {
                throw new IllegalArgumentException("model input '" + name + "' is not one SampleBatches can feed: "
                        + "image, text, audio, video, or one of them + '" + ModelIO.PRESENCE_SUFFIX + "'");
            }
            inputs.add(new Input(m, flag));
            optional[m.ordinal()] |= flag;
            if (!flag) {
                requireShapes(m);
            }
        }
        switch (io.labels()) {
            case ModelIO.IDENTITY_LABELS -> ContrastiveHeads.identityLabels(1, labelSmoothing, DataType.FLOAT);
            case ModelIO.CLASS_LABELS -> {
                shapes.require(shapes.numClasses() > 0 && shapes.numClasses() == this.classes.size(),
                        "a classifier needs its class list, " + shapes.numClasses() + " classes, got " + this.classes.size());
                for (int i = 0; i < this.classes.size(); i++) {
                    if (classIndex.put(this.classes.get(i), i) != null) {
                        throw new IllegalArgumentException("class '" + this.classes.get(i) + "' is listed twice");
                    }
                }
            }
            default -> throw new IllegalArgumentException("unknown label kind '" + io.labels() + "' of the model");
        }
    }

    private void requireShapes(Modality m) {
        switch (m) {
            case IMAGE -> shapes.require(shapes.imageSize() > 0 && shapes.imageChannels() == 3, "RGB images");
            case TEXT -> shapes.require(shapes.textLength() > 0 && shapes.vocabSize() > 0, "tokenized text");
            case AUDIO -> shapes.require(shapes.audioMels() > 0 && shapes.audioFrames() > 0, "log-mel audio");
            case VIDEO -> shapes.require(shapes.videoFrames() > 0 && shapes.videoSize() > 0, "video frames");
        }
    }

    /** Whether a dataset row has the modality a model input names (image, text, audio, video). */
    public static boolean has(Row row, String modality) {
        Modality m = Modality.named(modality);
        if (m == null) {
            throw new IllegalArgumentException("'" + modality + "' is not a modality: image, text, audio or video");
        }
        return !row.isNullAt(row.fieldIndex(m.column));
    }

    /** How many captions a dataset row has (0 when it has none). */
    public static int captionCount(Row row) {
        int i = row.fieldIndex(Modality.TEXT.column);
        return row.isNullAt(i) ? 0 : row.getList(i).size();
    }

    /** The minibatch of {@code rows} (at least one) for training epoch {@code epoch} (0-based). */
    public MultiDataSet batch(List<Row> rows, int epoch) {
        return batch(rows, epoch, -1);
    }

    /**
     * The minibatch of {@code rows} with caption number {@code caption} of every row as the text (evaluation embeds
     * every caption, not one per epoch); each row must have more than {@code caption} captions.
     */
    public MultiDataSet batchWithCaption(List<Row> rows, int caption) {
        if (caption < 0) {
            throw new IllegalArgumentException("caption index " + caption + " is negative");
        }
        return batch(rows, 0, caption);
    }

    /**
     * Texts alone (zero-shot prompts), as token ids with their lengths (ids past a length are padding): the model's
     * other inputs are zeros, their presence flags 0 where it has them. Only the text embedding of such a batch means
     * anything; it has no labels.
     */
    public MultiDataSet textOnlyBatch(List<int[]> tokenIds, int[] lengths) {
        int n = tokenIds.size();
        int t = shapes.textLength();
        INDArray[] features = new INDArray[inputs.size()];
        INDArray[] masks = new INDArray[inputs.size()];
        for (int i = 0; i < inputs.size(); i++) {
            Input in = inputs.get(i);
            if (in.presenceFlag()) {
                features[i] = in.modality() == Modality.TEXT ? Nd4j.ones(DataType.FLOAT, n, 1) : Nd4j.zeros(DataType.FLOAT, n, 1);
            } else if (in.modality() == Modality.TEXT) {
                float[] ids = new float[n * t];
                float[] mask = new float[n * t];
                for (int b = 0; b < n; b++) {
                    int[] row = tokenIds.get(b);
                    if (lengths[b] < 1 || lengths[b] > Math.min(t, row.length)) {
                        throw new IllegalArgumentException("text " + b + " has length " + lengths[b] + ", expected 1.." + t);
                    }
                    for (int j = 0; j < lengths[b]; j++) {
                        if (row[j] < 0 || row[j] >= shapes.vocabSize()) {
                            throw new IllegalArgumentException("text " + b + ": id " + row[j] + " is outside the vocabulary of "
                                    + shapes.vocabSize());
                        }
                        ids[b * t + j] = row[j];
                        mask[b * t + j] = 1f;
                    }
                }
                features[i] = Nd4j.create(ids, shape(in, n), 'c');
                masks[i] = Nd4j.create(mask, new long[] {n, t}, 'c');
            } else {
                features[i] = Nd4j.zeros(DataType.FLOAT, shape(in, n));
            }
        }
        return new MultiDataSet(features, new INDArray[0], masks, null);
    }

    private MultiDataSet batch(List<Row> rows, int epoch, int fixedCaption) {
        int n = rows.size();
        if (n == 0) {
            throw new IllegalArgumentException("a batch needs at least one row");
        }
        int k = inputs.size();
        float[][] data = new float[k][];
        float[][] masks = new float[k][];
        for (int i = 0; i < k; i++) {
            Input in = inputs.get(i);
            data[i] = new float[n * (in.presenceFlag() ? 1 : perSample(in.modality()))];
            if (in.modality() == Modality.TEXT && !in.presenceFlag()) {
                masks[i] = new float[n * shapes.textLength()];
            }
        }
        SampleRow[] samples = new SampleRow[n];
        for (int b = 0; b < n; b++) {
            columns = SampleRow.Columns.of(rows.get(b), columns);
            SampleRow row = new SampleRow(rows.get(b), columns);
            samples[b] = row;
            for (int i = 0; i < k; i++) {
                Input in = inputs.get(i);
                boolean present = row.has(in.modality().column);
                if (in.presenceFlag()) {
                    data[i][b] = present ? 1f : 0f;
                } else if (present) {
                    fill(in.modality(), row, epoch, fixedCaption, data[i], b, masks[i]);
                } else if (!optional[in.modality().ordinal()]) {
                    throw row.bad(in.modality().column, "is null, and the model has no '"
                            + ModelIO.presenceInput(in.modality().input) + "' input to mark a missing " + in.modality().input);
                } // else: zeros, and the presence input says so
            }
        }
        INDArray[] features = new INDArray[k];
        INDArray[] featureMasks = new INDArray[k];
        boolean anyMask = false;
        for (int i = 0; i < k; i++) {
            Input in = inputs.get(i);
            features[i] = Nd4j.create(data[i], shape(in, n), 'c');
            if (masks[i] != null) {
                featureMasks[i] = Nd4j.create(masks[i], new long[] {n, shapes.textLength()}, 'c');
                anyMask = true;
            }
        }
        return new MultiDataSet(features, labels(samples), anyMask ? featureMasks : null, null);
    }

    private int perSample(Modality m) {
        return switch (m) {
            case IMAGE -> 3 * shapes.imageSize() * shapes.imageSize();
            case TEXT -> shapes.textLength();
            case AUDIO -> shapes.audioMels() * shapes.audioFrames();
            case VIDEO -> shapes.videoFrames() * 3 * shapes.videoSize() * shapes.videoSize();
        };
    }

    private long[] shape(Input in, int n) {
        if (in.presenceFlag()) {
            return new long[] {n, 1};
        }
        return switch (in.modality()) {
            case IMAGE -> new long[] {n, 3, shapes.imageSize(), shapes.imageSize()};
            case TEXT -> new long[] {n, 1, shapes.textLength()};
            case AUDIO -> new long[] {n, 1, shapes.audioMels(), shapes.audioFrames()};
            case VIDEO -> new long[] {n, 3L * shapes.videoFrames(), shapes.videoSize(), shapes.videoSize()};
        };
    }

    private void fill(Modality m, SampleRow row, int epoch, int fixedCaption, float[] dst, int b, float[] mask) {
        int offset = b * perSample(m);
        switch (m) {
            case IMAGE -> image(row, dst, offset);
            case TEXT -> text(row, epoch, fixedCaption, dst, mask, b);
            case AUDIO -> audio(row, dst, offset);
            case VIDEO -> video(row, dst, offset);
        }
    }

    private void image(SampleRow row, float[] dst, int offset) {
        int size = shapes.imageSize();
        requireEqual(row, "image_height", row.integer("image_height"), size, "the model's image size");
        requireEqual(row, "image_width", row.integer("image_width"), size, "the model's image size");
        byte[] rgb = row.bytes("image_rgb");
        requireEqual(row, "image_rgb", rgb.length, size * size * 3, "bytes (" + size + "×" + size + "×3 uint8)");
        MediaLayouts.hwcToChw(rgb, 0, size, size, dst, offset);
    }

    private void text(SampleRow row, int epoch, int fixedCaption, float[] dst, float[] mask, int b) {
        int t = shapes.textLength();
        int count = row.count("token_ids");
        if (count == 0) {
            throw row.bad("token_ids", "has no caption");
        }
        if (fixedCaption >= count) {
            throw row.bad("token_ids", "has " + count + " caption(s), caption " + fixedCaption + " was asked for");
        }
        int c = fixedCaption >= 0 ? fixedCaption : captions.index(row.key(), epoch, count);
        int offset = b * t;
        row.intsAt("token_ids", c, dst, offset, t);
        for (int j = offset; j < offset + t; j++) {
            if (dst[j] < 0 || dst[j] >= shapes.vocabSize()) {
                throw row.bad("token_ids[" + c + "]", "id " + (int) dst[j] + " at position " + (j - offset)
                        + " is outside the vocabulary of " + shapes.vocabSize());
            }
        }
        int length = row.intAt("token_lengths", c);
        if (length < 1 || length > t) {
            throw row.bad("token_lengths[" + c + "]", "is " + length + ", expected 1.." + t);
        }
        java.util.Arrays.fill(mask, offset, offset + length, 1f);
    }

    private void audio(SampleRow row, float[] dst, int offset) {
        int mels = row.integer("audio_n_mels");
        requireEqual(row, "audio_n_mels", mels, shapes.audioMels(), "the model's mel bands");
        int frames = row.integer("audio_frames");
        if (frames < 1) {
            throw row.bad("audio_frames", "is " + frames + ", expected at least 1");
        }
        byte[] logMel = row.bytes("audio_log_mel");
        requireEqual(row, "audio_log_mel", logMel.length, mels * frames * Float.BYTES,
                "bytes (" + mels + "×" + frames + " float32)");
        MediaLayouts.logMel(logMel, mels, frames, shapes.audioFrames(), dst, offset);
    }

    private void video(SampleRow row, float[] dst, int offset) {
        int frames = shapes.videoFrames();
        int size = shapes.videoSize();
        requireEqual(row, "video_frame_count", row.integer("video_frame_count"), frames, "the model's frames");
        requireEqual(row, "video_height", row.integer("video_height"), size, "the model's frame size");
        requireEqual(row, "video_width", row.integer("video_width"), size, "the model's frame size");
        byte[] pixels = row.bytes("video_frames");
        requireEqual(row, "video_frames", pixels.length, frames * size * size * 3,
                "bytes (" + frames + "×" + size + "×" + size + "×3 uint8)");
        MediaLayouts.framesToChannels(pixels, frames, size, size, dst, offset);
    }

    private static void requireEqual(SampleRow row, String field, int actual, int expected, String what) {
        if (actual != expected) {
            throw row.bad(field, String.format(Locale.ROOT, "is %d, expected %d %s", actual, expected, what));
        }
    }

    private INDArray[] labels(SampleRow[] samples) {
        int n = samples.length;
        int outputs = io.outputs().size();
        INDArray[] labels = new INDArray[outputs];
        if (io.labels().equals(ModelIO.IDENTITY_LABELS)) {
            for (int i = 0; i < outputs; i++) {
                labels[i] = ContrastiveHeads.identityLabels(n, labelSmoothing, DataType.FLOAT);
            }
            return labels;
        }
        float[] oneHot = new float[n * classes.size()];
        for (int b = 0; b < n; b++) {
            String label = samples[b].string("label");
            Integer c = classIndex.get(label);
            if (c == null) {
                throw samples[b].bad("label", "'" + label + "' is not one of the model's " + classes.size()
                        + " classes (the labels of the training split)");
            }
            oneHot[b * classes.size() + c] = 1f;
        }
        for (int i = 0; i < outputs; i++) {
            labels[i] = Nd4j.create(oneHot, new long[] {n, classes.size()}, 'c');
        }
        return labels;
    }
}
