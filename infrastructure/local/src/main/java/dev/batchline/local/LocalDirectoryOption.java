package dev.batchline.local;

import dev.batchline.operate.LocalStackState;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where a local stack keeps {@code local.json} and its log. */
final class LocalDirectoryOption {

    @Option(names = "--local-dir", paramLabel = "DIR", defaultValue = LocalStackState.DIRECTORY,
            description = "the local stack's folder: local.json, local.log (default: ${DEFAULT-VALUE})")
    Path localDirectory;

    Path directory() {
        return localDirectory.toAbsolutePath();
    }
}
