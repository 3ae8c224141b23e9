package ai.chorus.cli;

import com.typesafe.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code chorus <command>}: the one entry point, for the local launcher and for spark-submit alike.
 */
@Command(name = "chorus", mixinStandardHelpOptions = true, versionProvider = ChorusCli.Version.class,
        description = "Chorus: multimodal pretraining on Apache Spark.",
        subcommands = {PrepareCommand.class, TrainCommand.class, BenchPrepCommand.class, BenchTrainCommand.class,
                BenchSparkTrainCommand.class, BenchEvalCommand.class, EmbedCommand.class, EvalCommand.class,
                ReportCommand.class, PipelineCommand.class,
                CommandLine.HelpCommand.class})
public final class ChorusCli {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command and returns its exit code: 0 done, 1 failed, 2 bad usage or configuration. */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new ChorusCli());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof ConfigException || e instanceof IllegalArgumentException) {
                commandLine.getErr().println("chorus: configuration error: " + e.getMessage());
                return 2;
            }
            commandLine.getErr().println("chorus: " + commandLine.getCommandName() + " failed: " + e);
            e.printStackTrace(commandLine.getErr());
            return 1;
        });
        return cli.execute(args);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = ChorusCli.class.getPackage().getImplementationVersion();
            return new String[]{"chorus " + (v == null ? "dev" : v)};
        }
    }
}
