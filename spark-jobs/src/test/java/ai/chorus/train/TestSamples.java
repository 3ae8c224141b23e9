package ai.chorus.train;

import ai.chorus.prep.output.DatasetSchema;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * {@code samples/} rows for tests, in data-prep's schema ({@link DatasetSchema#SAMPLES}), with the Java values
 * data-prep's SampleProcessor puts in them (boxed arrays, byte[] media). Set fields by name, then {@link #row()}.
 */
final class TestSamples {
    private final Object[] values = new Object[DatasetSchema.SAMPLES.size()];

    private TestSamples(String key) {
        set("key", key);
        set("split", "train");
    }

    static TestSamples sample(String key) {
        return new TestSamples(key);
    }

    TestSamples set(String field, Object value) {
        values[DatasetSchema.SAMPLES.fieldIndex(field)] = value;
        return this;
    }

    /** An h×w RGB image whose byte at (y, x, c) is {@link #pixel}. */
    TestSamples image(int h, int w, int seed) {
        byte[] rgb = new byte[h * w * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < 3; c++) {
                    rgb[(y * w + x) * 3 + c] = (byte) pixel(seed, y, x, c);
                }
            }
        }
        return set("image_rgb", rgb).set("image_height", h).set("image_width", w);
    }

    /** A distinct value in [0, 255] for each (seed, y, x, c), 255 and 0 included. */
    static int pixel(int seed, int y, int x, int c) {
        return (seed * 101 + y * 37 + x * 11 + c * 85) % 256;
    }

    /** T frames of h×w RGB; frame t's byte at (y, x, c) is {@link #pixel}(seed + t, y, x, c). */
    TestSamples video(int frames, int h, int w, int seed) {
        byte[] all = new byte[frames * h * w * 3];
        for (int t = 0; t < frames; t++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    for (int c = 0; c < 3; c++) {
                        all[((t * h + y) * w + x) * 3 + c] = (byte) pixel(seed + t, y, x, c);
                    }
                }
            }
        }
        return set("video_frames", all).set("video_frame_count", frames).set("video_height", h).set("video_width", w);
    }

    /** Captions as token ids (padded to their common length with 0) and their lengths, as data-prep stores them. */
    TestSamples tokens(int[][] ids, int[] lengths) {
        Integer[][] boxed = new Integer[ids.length][];
        Integer[] lens = new Integer[lengths.length];
        String[] captions = new String[ids.length];
        for (int i = 0; i < ids.length; i++) {
            boxed[i] = new Integer[ids[i].length];
            for (int j = 0; j < ids[i].length; j++) {
                boxed[i][j] = ids[i][j];
            }
            lens[i] = lengths[i];
            captions[i] = "caption " + i;
        }
        return set("captions", captions).set("token_ids", boxed).set("token_lengths", lens);
    }

    /** A log-mel [nMels][frames] stored as float32 little-endian. */
    TestSamples audio(float[][] logMel) {
        int mels = logMel.length;
        int frames = logMel[0].length;
        ByteBuffer buf = ByteBuffer.allocate(mels * frames * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (float[] band : logMel) {
            for (float v : band) {
                buf.putFloat(v);
            }
        }
        return set("audio_log_mel", buf.array()).set("audio_n_mels", mels).set("audio_frames", frames);
    }

    Row row() {
        return new GenericRowWithSchema(values.clone(), DatasetSchema.SAMPLES);
    }
}
