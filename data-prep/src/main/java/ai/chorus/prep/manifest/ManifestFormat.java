package ai.chorus.prep.manifest;

import java.util.Locale;

/** How a corpus is laid out: a manifest file format, or a folder of media files with same-name .txt captions. */
public enum ManifestFormat {
    CSV, TSV, JSONL, PARQUET, DIRECTORY;

    /** Picks the format from the manifest's name; a folder without a recognised manifest is a directory corpus. */
    public static ManifestFormat fromName(String name, boolean isDirectory) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".csv") || lower.endsWith(".csv.gz")) {
            return CSV;
        }
        if (lower.endsWith(".tsv") || lower.endsWith(".tsv.gz")) {
            return TSV;
        }
        if (lower.endsWith(".jsonl") || lower.endsWith(".json") || lower.endsWith(".jsonl.gz") || lower.endsWith(".ndjson")) {
            return JSONL;
        }
        if (lower.endsWith(".parquet")) {
            return PARQUET;
        }
        return isDirectory ? DIRECTORY : null;
    }

    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
