package ai.chorus.prep;

import ai.chorus.prep.audio.AudioPreprocessor;
import ai.chorus.prep.audio.PreparedAudio;
import ai.chorus.prep.image.ImagePreprocessor;
import ai.chorus.prep.image.PreparedImage;
import ai.chorus.prep.io.MediaFiles;
import ai.chorus.prep.io.MediaPathResolver;
import ai.chorus.prep.manifest.MediaExtensions;
import ai.chorus.prep.text.BpeTokenizer;
import ai.chorus.prep.text.TextNormalizer;
import ai.chorus.prep.video.PreparedVideo;
import ai.chorus.prep.video.VideoPreprocessor;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns one input row into either a sample row ({@code DatasetSchema.SAMPLES}) or a reject row
 * ({@code DatasetSchema.REJECTS}). Never throws for bad input: every refusal becomes a reject with
 * its stage, error class, field and a message naming the file and row. One instance per task.
 */
public final class SampleProcessor {
    /** Input row columns, in {@code DatasetSchema.INPUT} order. */
    private static final int KEY = 0, FILE = 1, ROW = 2, CAPTIONS = 3, CAPTION_FILE = 4, IMAGE = 5, AUDIO = 6,
            VIDEO = 7, LABEL = 8, READ_ERROR = 9;

    /** A processed row: a sample when {@code ok}, else a reject. */
    public record Outcome(boolean ok, Row row) implements Serializable {
    }

    private final PrepareOptions options;
    private final MediaPathResolver resolver;
    private final MediaFiles files;
    private final BpeTokenizer tokenizer;
    private final TextNormalizer normalizer;
    private final ImagePreprocessor images;
    private final AudioPreprocessor audio;
    private final VideoPreprocessor videos;

    public SampleProcessor(PrepareOptions options, MediaPathResolver resolver, Configuration hadoopConf, BpeTokenizer tokenizer) {
        this.options = options;
        this.resolver = resolver;
        this.files = new MediaFiles(hadoopConf, options.input().maxFileBytes());
        this.tokenizer = tokenizer;
        this.normalizer = new TextNormalizer(options.text());
        this.images = new ImagePreprocessor(options.image());
        this.audio = new AudioPreprocessor(options.audio());
        this.videos = new VideoPreprocessor(options.video());
    }

    public Outcome process(Row in) {
        String field = null;
        String stage = "read";
        try {
            if (!in.isNullAt(READ_ERROR)) {
                throw new SampleRejectedException("read", "read.malformed-row", in.getString(READ_ERROR));
            }
            String key = in.getString(KEY);
            if (key == null || key.isBlank()) {
                field = "key";
                throw new SampleRejectedException("read", "read.missing-key", "the row has no key");
            }
            if (in.isNullAt(IMAGE) && in.isNullAt(AUDIO) && in.isNullAt(VIDEO)) {
                field = "image/audio/video";
                throw new SampleRejectedException("read", "read.no-media", "the row names no image, audio or video");
            }
            stage = "text";
            field = "caption";
            List<String> captions = captions(in);
            int[][] tokenIds = null;
            int[] tokenLengths = null;
            if (captions != null) {
                tokenIds = new int[captions.size()][];
                tokenLengths = new int[captions.size()];
                for (int i = 0; i < captions.size(); i++) {
                    BpeTokenizer.Encoded encoded = tokenizer.encode(captions.get(i), options.text().maxLength());
                    tokenIds[i] = encoded.ids();
                    tokenLengths[i] = encoded.length();
                }
            }
            stage = "image";
            field = "image";
            PreparedImage image = in.isNullAt(IMAGE) ? null
                    : images.process(files.readBytes(field, resolver.resolve(field, in.getString(IMAGE))));
            stage = "audio";
            field = "audio";
            PreparedAudio sound = null;
            if (!in.isNullAt(AUDIO)) {
                try (MediaFiles.LocalCopy local = files.localCopy(field, resolver.resolve(field, in.getString(AUDIO)))) {
                    sound = audio.process(local.path());
                }
            }
            stage = "video";
            field = "video";
            PreparedVideo video = in.isNullAt(VIDEO) ? null : video(in.getString(VIDEO));
            return new Outcome(true, sampleRow(in, key, captions, tokenIds, tokenLengths, image, sound, video));
        } catch (SampleRejectedException e) {
            return new Outcome(false, rejectRow(in, e.stage(), e.errorClass(), field, e.getMessage()));
        } catch (RuntimeException e) {
            // A decoder bug must not kill a job of millions of rows: the row is kept, with the evidence.
            return new Outcome(false, rejectRow(in, stage, stage + ".unexpected", field, e.toString()));
        }
    }

    private List<String> captions(Row in) {
        List<String> raw;
        if (!in.isNullAt(CAPTION_FILE)) {
            Path path = resolver.resolve("caption", in.getString(CAPTION_FILE));
            String text = TextNormalizer.decodeUtf8Strict(files.readBytes("caption", path));
            raw = new ArrayList<>();
            for (String line : text.split("\\R")) {
                if (!line.isBlank()) {
                    raw.add(line);
                }
            }
            if (raw.isEmpty()) {
                raw.add("");
            }
        } else if (!in.isNullAt(CAPTIONS)) {
            raw = in.getList(CAPTIONS);
        } else {
            return null; // this corpus has no text modality
        }
        List<String> normalised = new ArrayList<>();
        SampleRejectedException firstProblem = null;
        for (String caption : raw) {
            if (caption == null || caption.isBlank()) {
                continue; // an empty extra caption column is not a sample error while another caption exists
            }
            try {
                normalised.add(normalizer.normalize(caption));
            } catch (SampleRejectedException e) {
                firstProblem = firstProblem == null ? e : firstProblem;
            }
        }
        if (firstProblem != null) {
            throw firstProblem;
        }
        if (normalised.isEmpty()) {
            throw new SampleRejectedException("text", "text.empty", "the caption is empty");
        }
        return normalised;
    }

    private PreparedVideo video(String reference) {
        Path path = resolver.resolve("video", reference);
        FileStatus status = files.status("video", path);
        if (status.isDirectory()) {
            return videos.processFrames(files.readFrameFolder("video", path, MediaExtensions.IMAGE));
        }
        try (MediaFiles.LocalCopy local = files.localCopy("video", status)) {
            return videos.process(local.path());
        }
    }

    private Row sampleRow(Row in, String key, List<String> captions, int[][] tokenIds, int[] tokenLengths,
                          PreparedImage image, PreparedAudio sound, PreparedVideo video) {
        return RowFactory.create(
                key, options.split().splitOf(key), in.getString(FILE), in.getLong(ROW), in.getString(LABEL),
                captions == null ? null : captions.toArray(new String[0]),
                tokenIds == null ? null : boxed(tokenIds),
                tokenLengths == null ? null : boxed(tokenLengths),

                image == null ? null : in.getString(IMAGE),
                image == null ? null : image.rgb(),
                image == null ? null : image.height(),
                image == null ? null : image.width(),
                image == null ? null : image.originalHeight(),
                image == null ? null : image.originalWidth(),
                image == null ? null : image.format(),

                sound == null ? null : in.getString(AUDIO),
                sound == null ? null : littleEndian(sound.logMel()),
                sound == null ? null : sound.nMels(),
                sound == null ? null : sound.frames(),
                sound == null ? null : sound.sampleRate(),
                sound == null ? null : sound.originalSampleRate(),
                sound == null ? null : sound.durationSeconds(),
                sound == null ? null : sound.codec(),

                video == null ? null : in.getString(VIDEO),
                video == null ? null : video.frames(),
                video == null ? null : video.frameCount(),
                video == null ? null : video.height(),
                video == null ? null : video.width(),
                video == null ? null : video.originalHeight(),
                video == null ? null : video.originalWidth(),
                video == null ? null : video.fps(),
                video == null ? null : video.durationSeconds(),
                video == null ? null : video.format());
    }

    /** A reject row: the input as read (so a retry can redo it) plus why it was refused. */
    public static Row rejectRow(Row in, String stage, String errorClass, String field, String message) {
        String where = in.getString(FILE) + " row " + in.getLong(ROW) + (field == null ? "" : ", field '" + field + "'");
        Object[] values = new Object[READ_ERROR + 4];
        for (int i = 0; i < READ_ERROR; i++) {
            values[i] = in.get(i);
        }
        values[READ_ERROR] = stage;
        values[READ_ERROR + 1] = errorClass;
        values[READ_ERROR + 2] = field;
        values[READ_ERROR + 3] = where + ": " + message;
        return RowFactory.create(values);
    }

    private static Integer[][] boxed(int[][] ids) {
        Integer[][] out = new Integer[ids.length][];
        for (int i = 0; i < ids.length; i++) {
            out[i] = boxed(ids[i]);
        }
        return out;
    }

    private static Integer[] boxed(int[] ids) {
        Integer[] out = new Integer[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = ids[i];
        }
        return out;
    }

    private static byte[] littleEndian(float[] values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asFloatBuffer().put(values);
        return buffer.array();
    }
}
