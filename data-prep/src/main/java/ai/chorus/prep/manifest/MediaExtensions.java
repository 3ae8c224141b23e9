package ai.chorus.prep.manifest;

import java.util.List;

/** File extensions that name a modality, for directory corpora and frame-folder videos. */
public final class MediaExtensions {
    public static final List<String> IMAGE = List.of("png", "jpg", "jpeg", "gif", "bmp", "webp");
    public static final List<String> AUDIO = List.of("wav", "ogg", "oga", "flac", "mp3", "m4a", "aac", "opus");
    public static final List<String> VIDEO = List.of("mp4", "webm", "mkv", "mov", "avi");

    private MediaExtensions() {
    }
}
