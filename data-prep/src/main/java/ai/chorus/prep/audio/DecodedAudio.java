package ai.chorus.prep.audio;

/**
 * A decoded clip: mono float PCM at the target rate, and facts about the original.
 *
 * <p>{@code samples} is not copied (records compare arrays by reference).
 *
 * @param samples            mono samples in [−1, 1] (nominally; decoders of lossy formats may overshoot slightly),
 *                           the mean of all original channels; possibly only the first part of the clip when the
 *                           caller limited how many to keep
 * @param sampleRate         rate of {@code samples} (Hz), the requested target rate
 * @param originalSampleRate rate of the file's audio stream (Hz)
 * @param originalChannels   channels of the file's audio stream
 * @param durationSeconds    length of the whole decoded stream, in seconds (resampled sample count / rate), even
 *                           when fewer samples were kept
 * @param codec              FFmpeg's codec name for the audio stream, e.g. {@code pcm_s16le}, {@code vorbis},
 *                           {@code flac}, {@code mp3}, {@code aac}
 */
public record DecodedAudio(float[] samples, int sampleRate, int originalSampleRate, int originalChannels,
                           double durationSeconds, String codec) {
}
