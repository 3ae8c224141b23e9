package ai.chorus.models;

/**
 * The shapes a model is built for, which come from the prepared dataset ({@code dataset.json}):
 * image side and channels, text vocabulary and length (special tokens included), log-mel bands and
 * frames, video frames and side, and the number of classes of a classifier. 0 means "not used".
 */
public record InputShapes(int imageSize, int imageChannels, int vocabSize, int textLength, int audioMels,
                          int audioFrames, int videoFrames, int videoSize, int numClasses)
        implements java.io.Serializable {

    public static InputShapes imageText(int imageSize, int vocabSize, int textLength) {
        return new InputShapes(imageSize, 3, vocabSize, textLength, 0, 0, 0, 0, 0);
    }

    public void require(boolean ok, String what) {
        if (!ok) {
            throw new IllegalArgumentException("the data does not fit this model: " + what + " (shapes: " + this + ")");
        }
    }
}
