package ai.chorus.prep.manifest;

import ai.chorus.prep.output.DatasetSchema;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads a corpus into normalised input rows ({@link DatasetSchema#INPUT}): CSV, TSV, JSONL and Parquet
 * manifests through Spark's readers, or a folder of media files with same-name {@code .txt} captions.
 * Every manifest row becomes exactly one input row, malformed ones included (with {@code read_error}
 * set), so that rows in = samples + rejects can hold. {@code source_row} is the 1-based data row within
 * {@code source_file} (header excluded).
 */
public final class ManifestReader {
    private static final String CORRUPT = "_corrupt_record";
    private static final String FILE = "_source_file";

    private final SparkSession spark;
    private final InputOptions options;

    public ManifestReader(SparkSession spark, InputOptions options) {
        this.spark = spark;
        this.options = options;
    }

    /** The qualified manifest path and the format it is read with. */
    public record Located(Path manifest, Path folder, ManifestFormat format) {
    }

    public Located locate() {
        Path path = new Path(options.manifest());
        try {
            FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
            if (!fs.exists(path)) {
                throw new ConfigException.BadValue("chorus.prep.input.manifest",
                        "manifest " + path + " does not exist");
            }
            FileStatus status = fs.getFileStatus(path);
            Path qualified = fs.makeQualified(path);
            ManifestFormat format = options.format() != null ? options.format()
                    : ManifestFormat.fromName(path.getName(), status.isDirectory());
            if (format == null) {
                throw new ConfigException.BadValue("chorus.prep.input.format",
                        "cannot tell the manifest format of " + path + " from its name: set chorus.prep.input.format "
                                + "to one of csv, tsv, jsonl, parquet, directory");
            }
            // A Parquet manifest may be a folder of part files; its media paths are relative to where that folder is.
            Path folder = format == ManifestFormat.DIRECTORY ? qualified : qualified.getParent();
            return new Located(qualified, folder, format);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read manifest " + path + ": " + e.getMessage(), e);
        }
    }

    public Dataset<Row> read(Located located) {
        return switch (located.format()) {
            case CSV -> readDelimited(located, ",");
            case TSV -> readDelimited(located, "\t");
            case JSONL -> normalise(spark.read()
                    .option("mode", "PERMISSIVE")
                    .option("columnNameOfCorruptRecord", CORRUPT)
                    .option("encoding", "UTF-8")
                    .json(located.manifest().toString()), located);
            case PARQUET -> normalise(spark.read().parquet(located.manifest().toString()), located);
            case DIRECTORY -> readDirectory(located);
        };
    }

    private Dataset<Row> readDelimited(Located located, String separator) {
        String path = located.manifest().toString();
        // First pass reads the header only, so the second can add the corrupt-record column to an all-string schema.
        StructType header = spark.read().option("header", true).option("sep", separator).csv(path).schema();
        List<StructField> fields = new ArrayList<>(Arrays.asList(header.fields()));
        fields.add(DataTypes.createStructField(CORRUPT, DataTypes.StringType, true));
        Dataset<Row> raw = spark.read()
                .schema(DataTypes.createStructType(fields))
                .option("header", true)
                .option("sep", separator)
                .option("multiLine", true)
                .option("escape", "\"")
                .option("mode", "PERMISSIVE")
                .option("columnNameOfCorruptRecord", CORRUPT)
                .option("encoding", "UTF-8")
                .csv(path);
        return normalise(raw, located);
    }

    /** Maps the manifest's own columns onto the input schema, numbering rows per source file. */
    private Dataset<Row> normalise(Dataset<Row> raw, Located located) {
        StructType schema = raw.schema();
        InputOptions.Columns c = options.columns();
        requireColumn(schema, c.key(), "chorus.prep.input.columns.key", located);
        List<String> captionColumns = c.captions().stream().filter(name -> hasColumn(schema, name)).toList();
        boolean anyMedia = hasColumn(schema, c.image()) || hasColumn(schema, c.audio()) || hasColumn(schema, c.video());
        if (!anyMedia) {
            throw new ConfigException.BadValue("chorus.prep.input.columns",
                    "manifest " + located.manifest() + " has none of the media columns '" + c.image() + "', '"
                            + c.audio() + "', '" + c.video() + "'; its columns are " + Arrays.toString(schema.fieldNames()));
        }
        ColumnMapping mapping = new ColumnMapping(
                schema.fieldIndex(c.key()),
                captionColumns.stream().mapToInt(schema::fieldIndex).toArray(),
                captionColumns.stream().map(n -> schema.apply(n).dataType() instanceof ArrayType).toList(),
                indexOrMinusOne(schema, c.image()), indexOrMinusOne(schema, c.audio()), indexOrMinusOne(schema, c.video()),
                indexOrMinusOne(schema, c.label()), indexOrMinusOne(schema, CORRUPT), schema.fields().length);

        JavaRDD<Tuple2<Row, Long>> indexed = raw.withColumn(FILE, functions.input_file_name())
                .javaRDD().zipWithIndex().map(t -> new Tuple2<>(t._1(), t._2()))
                .persist(StorageLevel.MEMORY_AND_DISK());
        // zipWithIndex numbers rows in partition order, and Spark reads each file's rows in order and
        // contiguously, so a file's first global index turns global indices into per-file row numbers.
        int fileIndex = schema.fields().length;
        Map<String, Long> firstIndexOfFile = new TreeMap<>(indexed
                .mapToPair(t -> new Tuple2<>(t._1().getString(fileIndex), t._2()))
                .reduceByKey(Math::min).collectAsMap());
        String fallbackFile = located.manifest().toString();
        JavaRDD<Row> rows = indexed.map(t -> mapping.toInput(t._1(), t._2(), firstIndexOfFile, fallbackFile));
        return spark.createDataFrame(rows, DatasetSchema.INPUT);
    }

    private record ColumnMapping(int key, int[] captions, List<Boolean> captionIsArray, int image, int audio, int video,
                                 int label, int corrupt, int fileIndex) implements Serializable {
        private static final ObjectMapper JSON = new ObjectMapper();

        Row toInput(Row raw, long globalIndex, Map<String, Long> firstIndexOfFile, String fallbackFile) {
            String file = raw.getString(fileIndex);
            if (file == null || file.isEmpty()) {
                file = fallbackFile;
            }
            long row = globalIndex - firstIndexOfFile.getOrDefault(raw.getString(fileIndex), 0L) + 1;
            String readError = null;
            if (corrupt >= 0 && !raw.isNullAt(corrupt)) {
                readError = "malformed manifest row: " + abbreviate(raw.getString(corrupt));
            }
            List<String> captionList = new ArrayList<>();
            for (int i = 0; i < captions.length; i++) {
                if (raw.isNullAt(captions[i])) {
                    captionList.add("");
                } else if (captionIsArray.get(i)) {
                    for (Object o : raw.getList(captions[i])) {
                        captionList.add(o == null ? "" : o.toString());
                    }
                } else {
                    captionList.addAll(splitJsonArray(raw.get(captions[i]).toString()));
                }
            }
            return RowFactory.create(
                    text(raw, key), file, row,
                    captions.length == 0 ? null : captionList.toArray(new String[0]),
                    null, text(raw, image), text(raw, audio), text(raw, video), text(raw, label), readError);
        }

        /** A string column may hold a JSON array of captions when JSONL rows mix strings and arrays. */
        private static List<String> splitJsonArray(String value) {
            String trimmed = value.trim();
            if (trimmed.startsWith("[") && trimmed.endsWith("]")) {
                try {
                    return JSON.readValue(trimmed, new TypeReference<List<String>>() { });
                } catch (IOException notJson) {
                    // A caption that merely looks like an array: keep it as written.
                }
            }
            return List.of(value);
        }

        private static String text(Row raw, int index) {
            if (index < 0 || raw.isNullAt(index)) {
                return null;
            }
            String s = raw.get(index).toString().trim();
            return s.isEmpty() ? null : s;
        }

        private static String abbreviate(String s) {
            String oneLine = s.replace('\n', ' ').replace('\r', ' ');
            return oneLine.length() <= 200 ? oneLine : oneLine.substring(0, 200) + "...";
        }
    }

    /**
     * A folder of media files: files sharing a name (without extension) in the same folder form one
     * sample; the key is that relative name; a same-name {@code .txt} holds its caption(s).
     */
    private Dataset<Row> readDirectory(Located located) {
        Path folder = located.folder();
        Map<String, String[]> samples = new TreeMap<>();
        try {
            FileSystem fs = folder.getFileSystem(spark.sparkContext().hadoopConfiguration());
            RemoteIterator<LocatedFileStatus> files = fs.listFiles(folder, true);
            String prefix = folder.toUri().getPath().endsWith("/") ? folder.toUri().getPath() : folder.toUri().getPath() + "/";
            while (files.hasNext()) {
                Path file = files.next().getPath();
                String relative = file.toUri().getPath().substring(prefix.length());
                int dot = relative.lastIndexOf('.');
                if (dot <= relative.lastIndexOf('/') || relative.startsWith(".") || relative.contains("/.")) {
                    continue;
                }
                String key = relative.substring(0, dot);
                String extension = relative.substring(dot + 1).toLowerCase(Locale.ROOT);
                int slot = extension.equals("txt") ? 0 : MediaExtensions.IMAGE.contains(extension) ? 1
                        : MediaExtensions.AUDIO.contains(extension) ? 2 : MediaExtensions.VIDEO.contains(extension) ? 3 : -1;
                if (slot >= 0) {
                    samples.computeIfAbsent(key, k -> new String[4])[slot] = relative;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list corpus folder " + folder + ": " + e.getMessage(), e);
        }
        List<Row> rows = new ArrayList<>();
        long n = 0;
        for (Map.Entry<String, String[]> e : samples.entrySet()) {
            String[] s = e.getValue();
            if (s[1] == null && s[2] == null && s[3] == null) {
                continue; // a caption without media is not a sample of this layout
            }
            rows.add(RowFactory.create(e.getKey(), folder.toString(), ++n, null, s[0], s[1], s[2], s[3], null, null));
        }
        return spark.createDataFrame(rows, DatasetSchema.INPUT);
    }

    private static boolean hasColumn(StructType schema, String name) {
        return name != null && Arrays.asList(schema.fieldNames()).contains(name);
    }

    private static int indexOrMinusOne(StructType schema, String name) {
        return hasColumn(schema, name) ? schema.fieldIndex(name) : -1;
    }

    private static void requireColumn(StructType schema, String name, String key, Located located) {
        if (!hasColumn(schema, name)) {
            throw new ConfigException.BadValue(key, "manifest " + located.manifest() + " has no column '" + name
                    + "'; its columns are " + Arrays.toString(schema.fieldNames()));
        }
    }
}
