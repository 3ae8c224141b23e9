package ai.chorus.train;

/**
 * A dataset row that cannot be fed to the model: names the row (its key) and the column, so that a failed
 * training run points at the sample to look at (or to re-prepare) instead of at a tensor shape.
 */
public class SampleFieldException extends IllegalArgumentException {
    private final String key;
    private final String field;

    public SampleFieldException(String key, String field, String problem) {
        super("sample '" + key + "', field " + field + ": " + problem);
        this.key = key;
        this.field = field;
    }

    public String key() {
        return key;
    }

    public String field() {
        return field;
    }
}
