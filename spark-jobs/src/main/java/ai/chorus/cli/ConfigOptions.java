package ai.chorus.cli;

import ai.chorus.config.ChorusConfig;
import com.typesafe.config.Config;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.File;
import java.util.ArrayList;
import java.util.List;

/** The configuration options every command takes: {@code -c FILE} (repeatable) and {@code key=value} overrides. */
public final class ConfigOptions {
    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "HOCON file(s), e.g. conf/corpora/emoji.conf; a later file overrides an earlier one.")
    List<File> files = new ArrayList<>();

    @Parameters(paramLabel = "KEY=VALUE", arity = "0..*",
            description = "Overrides, e.g. chorus.prep.image.size=64 (highest precedence, then -D, then files).")
    List<String> overrides = new ArrayList<>();

    public Config load() {
        return ChorusConfig.load(files, overrides);
    }
}
