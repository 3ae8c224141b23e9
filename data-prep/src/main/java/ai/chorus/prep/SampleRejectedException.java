package ai.chorus.prep;

/**
 * A sample that cannot be prepared. Decoders throw it with a stable {@code errorClass} (for example
 * {@code image.too-large}) and a message a person can act on; the prepare job adds the file, row and
 * field and writes the sample to {@code rejects/} instead of failing the job.
 */
public class SampleRejectedException extends RuntimeException {
    private final String stage;
    private final String errorClass;

    public SampleRejectedException(String stage, String errorClass, String message) {
        this(stage, errorClass, message, null);
    }

    public SampleRejectedException(String stage, String errorClass, String message, Throwable cause) {
        super(message, cause);
        this.stage = stage;
        this.errorClass = errorClass;
    }

    /** Pipeline stage that refused the sample: read, dedupe, text, image, audio, video. */
    public String stage() {
        return stage;
    }

    /** Stable, greppable reason code, e.g. {@code image.decode} or {@code audio.unsupported-encoding}. */
    public String errorClass() {
        return errorClass;
    }
}
