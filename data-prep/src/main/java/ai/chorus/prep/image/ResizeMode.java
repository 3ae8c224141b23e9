package ai.chorus.prep.image;

/** How an image of any aspect ratio becomes a size×size square. */
public enum ResizeMode {
    /** Scale the short side to size and cut the centre square out of the long side. */
    CENTER_CROP("center-crop"),
    /** Scale the long side to size, keep the aspect ratio and pad the rest with the background colour. */
    KEEP_RATIO("keep-ratio"),
    /** Scale each side to size independently (distorts the aspect ratio). */
    STRETCH("stretch");

    private final String configName;

    ResizeMode(String configName) {
        this.configName = configName;
    }

    /** The spelling used in HOCON files, e.g. {@code center-crop}. */
    public String configName() {
        return configName;
    }
}
