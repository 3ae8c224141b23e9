package ai.chorus.train;

import ai.chorus.models.InputShapes;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link DatasetShapes} on dataset.json files as {@code chorus prepare} writes them. */
class DatasetShapesTest {
    /** The parts of a real dataset.json (the emoji demo's) that shapes come from; modality counts are filled in. */
    private static String datasetJson(int schemaVersion, long text, long image, long audio, long video) {
        return """
                {
                  "schema_version" : %d,
                  "counts" : {
                    "samples" : 1906,
                    "by_split" : { "test" : 117, "train" : 1697, "val" : 92 },
                    "by_modality" : { "text" : %d, "image" : %d, "audio" : %d, "video" : %d }
                  },
                  "preprocessing" : {
                    "image" : { "size" : 64, "resizeMode" : "CENTER_CROP", "background" : 16777215, "maxPixels" : 89478485 },
                    "audio" : { "sampleRate" : 16000, "nMels" : 64, "nFft" : 400, "hopLength" : 160, "fMin" : 0.0,
                                "fMax" : 8000.0, "clipSeconds" : 5.0 },
                    "video" : { "frames" : 8, "frame" : { "size" : 128, "resizeMode" : "CENTER_CROP", "background" : 0,
                                "maxPixels" : 33177600 }, "maxSeconds" : 600.0 },
                    "text" : { "normalization" : "NFKC", "lowercase" : true, "maxLength" : 32 }
                  },
                  "tokenizer" : { "file" : "tokenizer.json", "type" : "byte-level-bpe", "vocab_size" : 3441 }
                }
                """.formatted(schemaVersion, text, image, audio, video);
    }

    @Test
    void imageTextDatasetGivesImageAndTextShapesOnly() {
        InputShapes s = DatasetShapes.parse("emoji", datasetJson(1, 1906, 1906, 0, 0)).shapes();
        assertEquals(new InputShapes(64, 3, 3441, 32, 0, 0, 0, 0, 0), s);
    }

    @Test
    void audioFramesAreThoseThePrepareJobComputesAndVideoComesFromItsFrameSettings() {
        InputShapes s = DatasetShapes.parse("all", datasetJson(1, 10, 10, 3, 4)).shapes(5);
        // 5 s at 16 kHz = 80,000 samples; centred frames every 160 samples: 1 + 80000 / 160.
        assertEquals(new InputShapes(64, 3, 3441, 32, 64, 501, 8, 128, 5), s);
        InputShapes audioOnly = DatasetShapes.parse("asterisk", datasetJson(1, 568, 0, 568, 0)).shapes();
        assertEquals(new InputShapes(0, 0, 3441, 32, 64, 501, 0, 0, 0), audioOnly);
    }

    @Test
    void readsDatasetJsonFromAHadoopPath(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("dataset.json"), datasetJson(1, 1906, 1906, 0, 0));
        InputShapes s = DatasetShapes.read(dir.toUri().toString(), new Configuration()).shapes();
        assertEquals(64, s.imageSize());
        assertEquals(3441, s.vocabSize());
    }

    @Test
    void anIncompleteOrOtherVersionDatasetIsRefusedWithWhatToDo(@TempDir Path dir) throws IOException {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DatasetShapes.read(dir.toUri().toString(), new Configuration()));
        assertTrue(e.getMessage().contains("no dataset.json") && e.getMessage().contains("chorus prepare"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> DatasetShapes.parse("old", datasetJson(2, 1, 1, 0, 0)));
        assertTrue(e.getMessage().contains("schema version 2"), e.getMessage());

        String noVocab = datasetJson(1, 1, 1, 0, 0).replace("\"vocab_size\" : 3441", "\"vocab_size\" : 0");
        e = assertThrows(IllegalArgumentException.class, () -> DatasetShapes.parse("bad", noVocab).shapes());
        assertTrue(e.getMessage().contains("tokenizer.vocab_size"), e.getMessage());

        String noText = datasetJson(1, 1, 1, 0, 0).replace("\"maxLength\" : 32", "\"max\" : 32");
        e = assertThrows(IllegalArgumentException.class, () -> DatasetShapes.parse("bad", noText).shapes());
        assertTrue(e.getMessage().contains("preprocessing.text.maxLength"), e.getMessage());
    }
}
