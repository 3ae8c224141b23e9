package ai.chorus.prep.manifest;

import ai.chorus.config.ConfigValues;
import com.typesafe.config.Config;

import java.io.Serializable;
import java.util.List;
import java.util.Locale;

/**
 * Where the corpus is and how its manifest is laid out ({@code chorus.prep.input}).
 *
 * @param format null means "auto": decided from the manifest's name once the file system is known
 * @param root   null means "the manifest's folder"
 */
public record InputOptions(String manifest, ManifestFormat format, String root, Columns columns, long maxFileBytes)
        implements Serializable {

    /** Manifest column names for each field of a sample. */
    public record Columns(String key, List<String> captions, String image, String audio, String video, String label)
            implements Serializable {
    }

    public static InputOptions fromConfig(Config config, String path) {
        Config c = config.getConfig(path);
        String manifest = ConfigValues.requiredString(config, path + ".manifest",
                "the path or URI of a manifest file (CSV, TSV, JSONL, Parquet) or of a folder of media files");
        String formatName = c.getString("format").toLowerCase(Locale.ROOT);
        ManifestFormat format = null;
        if (!formatName.equals("auto")) {
            try {
                format = ManifestFormat.valueOf(formatName.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw ConfigValues.bad(config, path + ".format",
                        "expected one of auto, csv, tsv, jsonl, parquet, directory, got '" + formatName + "'");
            }
        }
        Config cols = c.getConfig("columns");
        Columns columns = new Columns(cols.getString("key"), List.copyOf(cols.getStringList("captions")),
                cols.getString("image"), cols.getString("audio"), cols.getString("video"), cols.getString("label"));
        long maxFileBytes = c.getBytes("max-file-bytes");
        if (maxFileBytes <= 0) {
            throw ConfigValues.bad(config, path + ".max-file-bytes", "expected a positive size in bytes, got " + maxFileBytes);
        }
        return new InputOptions(manifest, format, ConfigValues.optionalString(c, "root"), columns, maxFileBytes);
    }
}
