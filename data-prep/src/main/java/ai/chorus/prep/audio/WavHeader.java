package ai.chorus.prep.audio;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * What a WAV file's header announces: the {@code fmt } fields and the sizes of the RIFF and {@code data}
 * chunks, next to the real file length. FFmpeg decodes whatever part of a truncated WAV is present without
 * complaint, so the decoder uses this to notice truncation and encodings it cannot read.
 *
 * <p>Reads RIFF (little-endian), RIFX (big-endian), RF64 and BW64 (64-bit sizes from the {@code ds64} chunk).
 *
 * @param fileLength    bytes in the file
 * @param riffSize      size the RIFF header announces for everything after its first 8 bytes, or −1 if it is a
 *                      streaming placeholder (0 or 0xFFFFFFFF)
 * @param formatTag     {@code wFormatTag}; for WAVE_FORMAT_EXTENSIBLE (0xFFFE) the tag inside the standard
 *                      SubFormat GUID; −1 if there is no {@code fmt } chunk or the GUID is not a standard one
 * @param declaredTag   {@code wFormatTag} exactly as written (0xFFFE for extensible), −1 without {@code fmt }
 * @param channels      {@code nChannels}
 * @param sampleRate    {@code nSamplesPerSec}
 * @param blockAlign    {@code nBlockAlign}
 * @param bitsPerSample {@code wBitsPerSample}
 * @param dataOffset    file offset of the first audio byte, or −1 if no {@code data} chunk was reached
 * @param dataSize      bytes the {@code data} chunk announces, or −1 if it is a streaming placeholder (0 or
 *                      0xFFFFFFFF: "until the end of the file")
 */
public record WavHeader(long fileLength, long riffSize, int formatTag, int declaredTag, int channels,
                        int sampleRate, int blockAlign, int bitsPerSample, long dataOffset, long dataSize) {

    public static final int WAVE_FORMAT_PCM = 0x0001;
    public static final int WAVE_FORMAT_IEEE_FLOAT = 0x0003;
    public static final int WAVE_FORMAT_EXTENSIBLE = 0xFFFE;

    private static final long PLACEHOLDER_MAX = 0xFFFFFFFFL;
    // Bytes 4..15 of every standard KSDATAFORMAT_SUBTYPE GUID: XXXXXXXX-0000-0010-8000-00AA00389B71.
    private static final byte[] GUID_SUFFIX = {0x00, 0x00, 0x10, 0x00, (byte) 0x80, 0x00, 0x00, (byte) 0xAA,
            0x00, 0x38, (byte) 0x9B, 0x71};

    /**
     * Reads the header of {@code file}.
     *
     * @return empty if the file does not start like a RIFF/RIFX/RF64/BW64 WAVE file
     */
    public static Optional<WavHeader> read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long length = ch.size();
            ByteBuffer head = readAt(ch, 0, 12);
            if (head.remaining() < 12 || !"WAVE".equals(fourCc(head, 8))) {
                return Optional.empty();
            }
            String kind = fourCc(head, 0);
            boolean wide = kind.equals("RF64") || kind.equals("BW64");
            if (!kind.equals("RIFF") && !kind.equals("RIFX") && !wide) {
                return Optional.empty();
            }
            ByteOrder order = kind.equals("RIFX") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
            long riffSize = placeholderToUnknown(head.order(order).getInt(4) & PLACEHOLDER_MAX);
            long ds64Data = -1;
            int formatTag = -1;
            int declaredTag = -1;
            int channels = 0;
            int sampleRate = 0;
            int blockAlign = 0;
            int bits = 0;
            long dataOffset = -1;
            long dataSize = -1;

            long pos = 12;
            while (pos + 8 <= length) {
                ByteBuffer chunk = readAt(ch, pos, 8).order(order);
                String id = fourCc(chunk, 0);
                long size = chunk.getInt(4) & PLACEHOLDER_MAX;
                if (id.equals("data")) {
                    dataOffset = pos + 8;
                    dataSize = wide && size == PLACEHOLDER_MAX ? ds64Data : placeholderToUnknown(size);
                    break;
                }
                if (id.equals("fmt ")) {
                    ByteBuffer fmt = readAt(ch, pos + 8, (int) Math.min(size, 40)).order(order);
                    if (fmt.remaining() >= 16) {
                        declaredTag = fmt.getShort(0) & 0xFFFF;
                        channels = fmt.getShort(2) & 0xFFFF;
                        sampleRate = fmt.getInt(4);
                        blockAlign = fmt.getShort(12) & 0xFFFF;
                        bits = fmt.getShort(14) & 0xFFFF;
                        formatTag = declaredTag == WAVE_FORMAT_EXTENSIBLE ? extensibleTag(fmt) : declaredTag;
                    }
                } else if (id.equals("ds64") && wide) {
                    ByteBuffer ds64 = readAt(ch, pos + 8, 24).order(ByteOrder.LITTLE_ENDIAN);
                    if (ds64.remaining() >= 16) {
                        riffSize = placeholderToUnknown(ds64.getLong(0));
                        ds64Data = placeholderToUnknown(ds64.getLong(8));
                    }
                } else if (size == PLACEHOLDER_MAX) {
                    break; // a chunk "as long as possible" before the data: nothing sensible follows
                }
                pos += 8 + size + (size & 1); // chunks are padded to an even length
            }
            return Optional.of(new WavHeader(length, riffSize, formatTag, declaredTag, channels, sampleRate,
                    blockAlign, bits, dataOffset, dataSize));
        }
    }

    /**
     * Why the file is shorter than its header says, or empty if it is not. The {@code data} chunk's size is
     * authoritative when the chunk was reached (a cut-off trailing metadata chunk does not matter); otherwise
     * the RIFF size is. Placeholder sizes from streaming writers mean "until the end of the file" and never
     * count as truncation.
     */
    public Optional<String> truncation() {
        if (dataOffset >= 0) {
            if (dataSize >= 0 && dataOffset + dataSize > fileLength) {
                return Optional.of("WAV data chunk announces " + dataSize + " bytes from offset " + dataOffset
                        + " but only " + (fileLength - dataOffset) + " are present (file is " + fileLength
                        + " bytes)");
            }
            return Optional.empty();
        }
        if (riffSize >= 0 && 8 + riffSize > fileLength) {
            return Optional.of("WAV header announces " + (8 + riffSize) + " bytes but the file has "
                    + fileLength + " and ends before the data chunk");
        }
        return Optional.empty();
    }

    private static int extensibleTag(ByteBuffer fmt) {
        if (fmt.remaining() < 40) {
            return -1;
        }
        for (int i = 0; i < GUID_SUFFIX.length; i++) {
            if (fmt.get(28 + i) != GUID_SUFFIX[i]) {
                return -1;
            }
        }
        // The GUID's first field is stored little-endian whatever the RIFF byte order.
        return fmt.duplicate().order(ByteOrder.LITTLE_ENDIAN).getInt(24);
    }

    private static long placeholderToUnknown(long size) {
        return size == 0 || size == PLACEHOLDER_MAX || size < 0 ? -1 : size;
    }

    private static String fourCc(ByteBuffer b, int at) {
        char[] c = new char[4];
        for (int i = 0; i < 4; i++) {
            c[i] = (char) (b.get(at + i) & 0xFF);
        }
        return new String(c);
    }

    /** Up to {@code n} bytes at {@code pos}; fewer (flipped, ready to read) if the file ends first. */
    private static ByteBuffer readAt(FileChannel ch, long pos, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            int r = ch.read(b, pos + b.position());
            if (r < 0) {
                break;
            }
        }
        b.flip();
        return b;
    }
}
