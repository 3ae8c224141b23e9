package ai.chorus.prep.output;

import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.List;

/**
 * The prepared dataset's data contract (DESIGN.md "Dataset out"). One row per sample in
 * {@code samples/}, one row per refused input row in {@code rejects/}.
 *
 * <p>Media are stored decoded, as fixed-size tensors in little-endian binary columns: images and
 * video frames as uint8 RGB in HWC order ({@code T×H×W×3} for video), audio as float32 log-mel in
 * {@code [n_mels][frames]} order. Decoded tensors cost more storage than the encoded bytes but take
 * all decoding off the training executors' CPU, which is the scarcer resource there.
 */
public final class DatasetSchema {
    /** Bumped on any incompatible change of the columns below. */
    public static final int VERSION = 1;

    /** The input row as read from the manifest, normalised; kept in rejects so a retry can redo it. */
    public static final List<StructField> INPUT_FIELDS = List.of(
            field("key", DataTypes.StringType),
            field("source_file", DataTypes.StringType),
            field("source_row", DataTypes.LongType),
            field("captions", DataTypes.createArrayType(DataTypes.StringType, true)),
            // Directory layout: a .txt file holding the caption(s), one per line, read during processing.
            field("caption_file", DataTypes.StringType),
            field("image", DataTypes.StringType),
            field("audio", DataTypes.StringType),
            field("video", DataTypes.StringType),
            field("label", DataTypes.StringType));

    /** Normalised manifest rows, plus the reader's own complaint about the row (null when it read fine). */
    public static final StructType INPUT = struct(INPUT_FIELDS, List.of(field("read_error", DataTypes.StringType)));

    public static final StructType REJECTS = struct(INPUT_FIELDS, List.of(
            field("stage", DataTypes.StringType),
            field("error_class", DataTypes.StringType),
            field("field", DataTypes.StringType),
            field("message", DataTypes.StringType)));

    public static final StructType SAMPLES = struct(List.of(
            field("key", DataTypes.StringType),
            field("split", DataTypes.StringType),
            field("source_file", DataTypes.StringType),
            field("source_row", DataTypes.LongType),
            field("label", DataTypes.StringType),
            field("captions", DataTypes.createArrayType(DataTypes.StringType, false)),
            field("token_ids", DataTypes.createArrayType(DataTypes.createArrayType(DataTypes.IntegerType, false), false)),
            field("token_lengths", DataTypes.createArrayType(DataTypes.IntegerType, false)),

            field("image_path", DataTypes.StringType),
            field("image_rgb", DataTypes.BinaryType),
            field("image_height", DataTypes.IntegerType),
            field("image_width", DataTypes.IntegerType),
            field("image_original_height", DataTypes.IntegerType),
            field("image_original_width", DataTypes.IntegerType),
            field("image_format", DataTypes.StringType),

            field("audio_path", DataTypes.StringType),
            field("audio_log_mel", DataTypes.BinaryType),
            field("audio_n_mels", DataTypes.IntegerType),
            field("audio_frames", DataTypes.IntegerType),
            field("audio_sample_rate", DataTypes.IntegerType),
            field("audio_original_sample_rate", DataTypes.IntegerType),
            field("audio_duration_seconds", DataTypes.DoubleType),
            field("audio_codec", DataTypes.StringType),

            field("video_path", DataTypes.StringType),
            field("video_frames", DataTypes.BinaryType),
            field("video_frame_count", DataTypes.IntegerType),
            field("video_height", DataTypes.IntegerType),
            field("video_width", DataTypes.IntegerType),
            field("video_original_height", DataTypes.IntegerType),
            field("video_original_width", DataTypes.IntegerType),
            field("video_fps", DataTypes.DoubleType),
            field("video_duration_seconds", DataTypes.DoubleType),
            field("video_format", DataTypes.StringType)), List.of());

    private DatasetSchema() {
    }

    private static StructField field(String name, DataType type) {
        return DataTypes.createStructField(name, type, true);
    }

    private static StructType struct(List<StructField> first, List<StructField> more) {
        List<StructField> all = new ArrayList<>(first);
        all.addAll(more);
        return DataTypes.createStructType(all);
    }
}
