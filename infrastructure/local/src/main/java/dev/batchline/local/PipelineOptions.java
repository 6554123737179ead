package dev.batchline.local;

import dev.batchline.local.provider.LocalProviderConfig;
import dev.batchline.local.runtime.FunctionHosting;
import dev.batchline.local.runtime.LambdaSandbox;
import dev.batchline.local.runtime.LocalPipeline;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** How the pipeline on this machine is set up, for a run and a local stack alike. */
final class PipelineOptions {

    @Option(names = "--profile", paramLabel = "NAME",
            description = "provider profile whose rules and BATCHLINE_PROFILES overrides the local profile takes "
                    + "(default: generic)")
    String profile;

    @Option(names = "--provider-config", paramLabel = "FILE",
            description = "timing and faults of the local provider (see batchline provider)")
    Path providerConfig;

    /** Where the functions run. */
    enum Functions {
        IN_PROCESS("in-process"),
        LAMBDA("lambda"),
        SNAP_START("snap-start");

        private final String option;

        Functions(String option) {
            this.option = option;
        }

        static Functions of(String option) {
            for (Functions functions : values()) {
                if (functions.option.equals(option)) {
                    return functions;
                }
            }
            throw new CommandLine.TypeConversionException("takes in-process, lambda or snap-start, not " + option);
        }

        @Override
        public String toString() {
            return option;
        }
    }

    @Option(names = "--functions", paramLabel = "WHERE", converter = FunctionsConverter.class,
            description = "where the functions run: in-process (default); lambda, each in its own JVM under the "
                    + "runtime interface client as Lambda runs it; snap-start, the same initialised as SnapStart does")
    Functions functions;

    static final class FunctionsConverter implements CommandLine.ITypeConverter<Functions> {
        @Override
        public Functions convert(String value) {
            return Functions.of(value);
        }
    }

    /** Sandboxes a function may have at once when the functions run as Lambda runs them. */
    private static final int LAMBDA_CONCURRENCY = 2;

    /** Where the functions run, as {@code --functions} says. */
    FunctionHosting hosting() throws IOException {
        Path home = Path.of(System.getProperty("batchline.home", "."));
        return switch (functions == null ? Functions.IN_PROCESS : functions) {
            case IN_PROCESS -> FunctionHosting.InProcess.plain();
            case LAMBDA -> FunctionHosting.LambdaProcesses.fromBuild(home, LambdaSandbox.Definition::of,
                    LambdaSandbox.Initialization.ON_DEMAND, LAMBDA_CONCURRENCY);
            case SNAP_START -> FunctionHosting.LambdaProcesses.fromBuild(home, LambdaSandbox.Definition::of,
                    LambdaSandbox.Initialization.SNAP_START, LAMBDA_CONCURRENCY);
        };
    }

    /** The local provider, or BATCHLINE_BASE_URL's when set; the functions' environment. */
    LocalPipeline.Settings settings() throws IOException {
        String remote = System.getenv("BATCHLINE_BASE_URL");
        Path home = Path.of(System.getProperty("batchline.home", "."));
        return new LocalPipeline.Settings(LocalProviderConfig.read(providerConfig),
                remote == null || remote.isBlank() ? null : remote, "BATCHLINE_API_KEY",
                home.resolve("infrastructure/local/sfn"), home.resolve("statemachine/batchline.asl.json"),
                profile == null ? "generic" : profile, Map.of(), LocalPipeline.functionEnvironment(System.getenv()));
    }
}
