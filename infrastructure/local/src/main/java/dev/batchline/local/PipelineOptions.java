package dev.batchline.local;

import dev.batchline.local.provider.LocalProviderConfig;
import dev.batchline.local.runtime.LocalPipeline;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
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
