package ai.chorus.prep;

import ai.chorus.config.ConfigValues;
import ai.chorus.prep.audio.AudioOptions;
import ai.chorus.prep.image.ImageOptions;
import ai.chorus.prep.manifest.InputOptions;
import ai.chorus.prep.text.TextOptions;
import ai.chorus.prep.video.VideoOptions;
import com.typesafe.config.Config;

import java.io.Serializable;

/** Everything the prepare job needs, read and validated from {@code chorus.prep} before any work starts. */
public record PrepareOptions(InputOptions input, String outputPath, int rowsPerShard,
                             SplitAssigner split, TextOptions text, TokenizerOptions tokenizer,
                             ImageOptions image, AudioOptions audio, VideoOptions video) implements Serializable {

    public record TokenizerOptions(int vocabSize, int minWordFrequency, String vocabulary) implements Serializable {
    }

    public static PrepareOptions fromConfig(Config config) {
        String p = "chorus.prep";
        String output = ConfigValues.requiredString(config, p + ".output.path",
                "the folder (path or URI) the prepared dataset is written to");
        int rowsPerShard = ConfigValues.intAtLeast(config, p + ".output.rows-per-shard", 1);
        // The 256 byte symbols and the special tokens come first.
        int vocabSize = ConfigValues.intAtLeast(config, p + ".tokenizer.vocab-size", 260);
        int minWordFrequency = ConfigValues.intAtLeast(config, p + ".tokenizer.min-word-frequency", 1);
        TokenizerOptions tokenizer = new TokenizerOptions(vocabSize, minWordFrequency,
                ConfigValues.optionalString(config, p + ".tokenizer.vocabulary"));
        return new PrepareOptions(
                InputOptions.fromConfig(config, p + ".input"), output, rowsPerShard,
                SplitAssigner.fromConfig(config, p + ".split"),
                TextOptions.fromConfig(config, p + ".text"), tokenizer,
                ImageOptions.fromConfig(config, p + ".image"),
                AudioOptions.fromConfig(config, p + ".audio"),
                VideoOptions.fromConfig(config, p + ".video"));
    }
}
