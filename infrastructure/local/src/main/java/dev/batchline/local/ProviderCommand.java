package dev.batchline.local;

import dev.batchline.config.Json;
import dev.batchline.local.provider.LocalProviderConfig;
import dev.batchline.local.provider.LocalProviderServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code batchline provider}: the local OpenAI-compatible batch provider, until interrupted. */
@Command(name = "provider", mixinStandardHelpOptions = true,
        description = "Serves an OpenAI-compatible Files + Batches API on this machine: a deterministic model, "
                + "or an upstream synchronous endpoint, with configurable timing and faults.")
final class ProviderCommand implements Callable<Integer> {

    @Option(names = "--port", defaultValue = "8089", description = "port on 127.0.0.1 (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--config", paramLabel = "FILE", description = "JSON file of timing, faults and upstream")
    Path config;

    @Option(names = "--api-key-env", paramLabel = "VAR",
            description = "require the API key held in this environment variable")
    String apiKeyEnv;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        LocalProviderConfig settings;
        try {
            settings = LocalProviderConfig.read(config);
        } catch (IOException | IllegalArgumentException e) {
            err.println("batchline provider: cannot use " + config + ": " + e.getMessage());
            return ValidateCommand.ERROR;
        }
        String apiKey = apiKeyEnv == null ? null : System.getenv(apiKeyEnv);
        if (apiKeyEnv != null && (apiKey == null || apiKey.isEmpty())) {
            err.println("batchline provider: environment variable " + apiKeyEnv + " is empty");
            return ValidateCommand.ERROR;
        }
        try (LocalProviderServer server = LocalProviderServer.start(port, settings, apiKey, Json.mapper(),
                Clock.systemUTC())) {
            PrintWriter out = spec.commandLine().getOut();
            out.println("batchline provider: serving " + server.baseUrl()
                    + (settings.upstream() == null ? " (deterministic model)" : " (upstream " + settings.upstream()
                    .baseUrl() + ")") + "; Ctrl-C to stop");
            out.flush();
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown));
            stopped.await();
        }
        return 0;
    }
}
