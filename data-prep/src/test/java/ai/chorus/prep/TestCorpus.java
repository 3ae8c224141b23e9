package ai.chorus.prep;

import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A small corpus on disk with one row per kind of good and bad input, and the error class each bad
 * row must be rejected with. The manifest is written as raw bytes so that a caption can hold bytes
 * that are not UTF-8.
 */
public final class TestCorpus {
    /** key → expected error class for rows that must be rejected. */
    public static final Map<String, String> EXPECTED_REJECTS = new LinkedHashMap<>();
    public static final String[] GOOD_KEYS = {"png", "jpeg", "gif", "bmp", "wav", "mp4", "frames", "image-audio"};

    static {
        EXPECTED_REJECTS.put("corrupt-png", "image.decode");
        EXPECTED_REJECTS.put("truncated-jpeg", "image.decode");
        EXPECTED_REJECTS.put("zero-byte", "image.empty");
        EXPECTED_REJECTS.put("missing-file", "read.missing-file");
        EXPECTED_REJECTS.put("bomb", "image.too-large");
        EXPECTED_REJECTS.put("truncated-wav", "audio.truncated");
        EXPECTED_REJECTS.put("unknown-wav", "audio.unsupported-encoding");
        EXPECTED_REJECTS.put("not-utf8", "text.invalid-utf8");
        EXPECTED_REJECTS.put("empty-caption", "text.empty");
        EXPECTED_REJECTS.put("outside-root", "read.path-outside-root");
        EXPECTED_REJECTS.put("png", "dedupe.duplicate-key"); // the second row with key "png"
    }

    private TestCorpus() {
    }

    /** Writes media and {@code manifest.csv} under {@code root/corpus}; returns the manifest. */
    public static Path writeCsv(Path root) {
        Path dir = root.resolve("corpus");
        writeMedia(dir);
        // A file that exists but outside the corpus root: must be refused, not read.
        TestMedia.write(root.resolve("outside.png"), TestMedia.encode(TestMedia.halves(40, 40, Color.RED, Color.RED), "png"));
        StringBuilder csv = new StringBuilder("key,caption,image,audio,video,label\n");
        csv.append("png,\"A red and blue, flag\",img/halves.png,,,flag\n");
        csv.append("jpeg,a jpeg photo,img/photo.jpg,,,photo\n");
        csv.append("gif,a gif,img/anim.gif,,,gif\n");
        csv.append("bmp,a bitmap,img/bitmap.bmp,,,bmp\n");
        csv.append("wav,a 440 hertz tone,,audio/tone.wav,,tone\n");
        csv.append("mp4,a square moving right,,,video/square.mp4,right\n");
        csv.append("frames,a square in frames,,,video/frames,right\n");
        csv.append("image-audio,\"a picture that \"\"sounds\"\"\",img/halves.png,audio/tone.wav,,both\n");
        csv.append("corrupt-png,broken,img/corrupt.png,,,bad\n");
        csv.append("truncated-jpeg,cut short,img/truncated.jpg,,,bad\n");
        csv.append("zero-byte,nothing,img/empty.png,,,bad\n");
        csv.append("missing-file,not there,img/nothere.png,,,bad\n");
        csv.append("bomb,too big,img/bomb.png,,,bad\n");
        csv.append("truncated-wav,cut audio,,audio/truncated.wav,,bad\n");
        csv.append("unknown-wav,odd audio,,audio/unknown.wav,,bad\n");
        csv.append("not-utf8,caf\u0000,img/halves.png,,,bad\n");
        csv.append("empty-caption,,img/halves.png,,,bad\n");
        csv.append("outside-root,escape,../outside.png,,,bad\n");
        csv.append("png,second row with key png,img/photo.jpg,,,dup\n");
        byte[] bytes = csv.toString().getBytes(StandardCharsets.UTF_8);
        // Replace the NUL placeholder by a Latin-1 "é" (0xE9): not valid UTF-8.
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                bytes[i] = (byte) 0xE9;
            }
        }
        return TestMedia.write(dir.resolve("manifest.csv"), bytes);
    }

    static void writeMedia(Path dir) {
        byte[] png = TestMedia.encode(TestMedia.halves(200, 100, Color.RED, Color.BLUE), "png");
        byte[] jpeg = TestMedia.encode(TestMedia.halves(300, 200, Color.GREEN, Color.YELLOW), "jpeg");
        TestMedia.write(dir.resolve("img/halves.png"), png);
        TestMedia.write(dir.resolve("img/photo.jpg"), jpeg);
        TestMedia.write(dir.resolve("img/anim.gif"), TestMedia.encode(TestMedia.halves(64, 64, Color.BLACK, Color.WHITE), "gif"));
        TestMedia.write(dir.resolve("img/bitmap.bmp"), TestMedia.encode(TestMedia.halves(50, 80, Color.CYAN, Color.MAGENTA), "bmp"));
        TestMedia.write(dir.resolve("img/corrupt.png"), TestMedia.corrupt(png));
        TestMedia.write(dir.resolve("img/truncated.jpg"), TestMedia.truncate(jpeg, 0.5));
        TestMedia.write(dir.resolve("img/empty.png"), new byte[0]);
        TestMedia.write(dir.resolve("img/bomb.png"), TestMedia.pngHeaderOnly(100_000, 100_000));
        byte[] wav = TestMedia.wavTone(440, 1.0, 8000);
        TestMedia.write(dir.resolve("audio/tone.wav"), wav);
        TestMedia.write(dir.resolve("audio/truncated.wav"), TestMedia.truncate(wav, 0.5));
        TestMedia.write(dir.resolve("audio/unknown.wav"), TestMedia.wavUnknownEncoding());
        TestMedia.movingSquareMp4(dir.resolve("video/square.mp4"), 16, 64);
        for (int i = 0; i < 4; i++) {
            TestMedia.write(dir.resolve("video/frames/frame" + i + ".png"),
                    TestMedia.encode(TestMedia.halves(32, 32, new Color(i * 60, 0, 0), Color.WHITE), "png"));
        }
    }

    public static void replace(Path file, byte[] bytes) {
        try {
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
