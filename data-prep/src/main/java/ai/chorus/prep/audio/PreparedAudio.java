package ai.chorus.prep.audio;

/**
 * A clip ready for the dataset: its log-mel spectrogram (see {@link LogMelSpectrogram} for the exact
 * conventions) and facts about the original file. {@code logMel} is not copied.
 *
 * @param logMel             row-major {@code [nMels][frames]}: element {@code [m][t]} at {@code m · frames + t}
 * @param nMels              mel bands
 * @param frames             spectrogram frames, always {@link AudioOptions#clipFrames()}
 * @param sampleRate         rate the clip was resampled to (Hz)
 * @param originalSampleRate rate of the file's audio stream (Hz)
 * @param originalChannels   channels of the file's audio stream (averaged into mono)
 * @param durationSeconds    length of the original clip in seconds, before padding or cropping
 * @param codec              FFmpeg's name for the original codec, e.g. {@code pcm_s16le}, {@code mp3}
 */
public record PreparedAudio(float[] logMel, int nMels, int frames, int sampleRate, int originalSampleRate,
                            int originalChannels, double durationSeconds, String codec) {
}
