package ai.chorus.prep;

import ai.chorus.config.ChorusConfig;
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
        String output = ChorusConfig.requireString(config, p + ".output.path",
                "the folder (path or URI) the prepared dataset is written to");
        int rowsPerShard = positive(config, p + ".output.rows-per-shard");
        int vocabSize = config.getInt(p + ".tokenizer.vocab-size");
        if (vocabSize < 260) {
            throw ChorusConfig.badValue(config, p + ".tokenizer.vocab-size",
                    "at least 260 (the 256 byte symbols and the special tokens come first)");
        }
        TokenizerOptions tokenizer = new TokenizerOptions(vocabSize, positive(config, p + ".tokenizer.min-word-frequency"),
                ChorusConfig.optionalString(config, p + ".tokenizer.vocabulary"));
        return new PrepareOptions(
                InputOptions.fromConfig(config, p + ".input"), output, rowsPerShard,
                SplitAssigner.fromConfig(config, p + ".split"),
                TextOptions.fromConfig(config, p + ".text"), tokenizer,
                ImageOptions.fromConfig(config, p + ".image"),
                AudioOptions.fromConfig(config, p + ".audio"),
                VideoOptions.fromConfig(config, p + ".video"));
    }

    private static int positive(Config config, String key) {
        int v = config.getInt(key);
        if (v <= 0) {
            throw ChorusConfig.badValue(config, key, "a positive whole number");
        }
        return v;
    }
}
