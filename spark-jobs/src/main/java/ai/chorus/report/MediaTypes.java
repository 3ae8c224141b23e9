package ai.chorus.report;

import java.util.Locale;
import java.util.Map;

/** The MIME type of a media file from its extension, as the examples files name them (PNG, original audio). */
public final class MediaTypes {
    private static final Map<String, String> BY_EXTENSION = Map.ofEntries(
            Map.entry("png", "image/png"), Map.entry("jpg", "image/jpeg"), Map.entry("jpeg", "image/jpeg"),
            Map.entry("gif", "image/gif"), Map.entry("webp", "image/webp"),
            Map.entry("ogg", "audio/ogg"), Map.entry("oga", "audio/ogg"), Map.entry("opus", "audio/ogg"),
            Map.entry("wav", "audio/wav"), Map.entry("flac", "audio/flac"), Map.entry("mp3", "audio/mpeg"),
            Map.entry("m4a", "audio/mp4"), Map.entry("mp4", "video/mp4"), Map.entry("webm", "video/webm"));

    private MediaTypes() {
    }

    /** The type, or application/octet-stream for an extension a browser would not know how to show. */
    public static String of(String fileName) {
        int dot = fileName.lastIndexOf('.');
        String ext = dot < 0 ? "" : fileName.substring(dot + 1).toLowerCase(Locale.ROOT);
        return BY_EXTENSION.getOrDefault(ext, "application/octet-stream");
    }

    public static boolean isImage(String mime) {
        return mime.startsWith("image/");
    }

    public static boolean isAudio(String mime) {
        return mime.startsWith("audio/");
    }
}
