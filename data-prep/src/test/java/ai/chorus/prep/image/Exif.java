package ai.chorus.prep.image;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

/** Writes the smallest EXIF APP1 segment that carries an orientation, the way cameras do. */
final class Exif {
    private Exif() {
    }

    /** {@code jpeg} with an APP1 "Exif" segment holding IFD0 tag 274 (orientation) inserted after SOI/APP0. */
    static byte[] withOrientation(byte[] jpeg, int orientation) {
        ByteBuffer app1 = ByteBuffer.allocate(2 + 2 + 32);          // big-endian
        app1.putShort((short) 0xFFE1).putShort((short) 34);         // marker; length counts itself + 32 bytes
        app1.put(new byte[] {'E', 'x', 'i', 'f', 0, 0});
        app1.put(new byte[] {'M', 'M', 0, 42}).putInt(8);           // TIFF header, IFD0 at offset 8
        app1.putShort((short) 1);                                    // one entry
        app1.putShort((short) 0x0112).putShort((short) 3).putInt(1); // orientation, SHORT, count 1
        app1.putShort((short) orientation).putShort((short) 0);      // value, padded to 4 bytes
        app1.putInt(0);                                              // no next IFD
        int insertAt = 2;                                            // after SOI ...
        if ((jpeg[2] & 0xFF) == 0xFF && (jpeg[3] & 0xFF) == 0xE0) {  // ... and after a JFIF APP0 if present
            insertAt = 4 + ((jpeg[4] & 0xFF) << 8 | (jpeg[5] & 0xFF));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, insertAt);
        out.write(app1.array(), 0, app1.capacity());
        out.write(jpeg, insertAt, jpeg.length - insertAt);
        return out.toByteArray();
    }
}
