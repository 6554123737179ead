package dev.batchline.local.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchline.config.Json;
import dev.batchline.ingest.WorkflowInput;
import dev.batchline.ingest.WorkflowStarter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The state machine on this machine: each execution is a Node.js process running the real ASL file
 * with aws-local-stepfunctions, its Task states calling {@link LocalLambdaEndpoint}. Like Step
 * Functions, a second start of the same name is the same execution.
 */
public final class LocalStepFunctions implements WorkflowStarter {

    /**
     * How an execution ended.
     *
     * @param largestState      the state whose input or output was the largest, Map iterations included
     * @param largestStateBytes that payload's size as UTF-8 JSON (Step Functions refuses over 256 KB)
     */
    public record Outcome(boolean succeeded, JsonNode output, String error, String cause, String largestState,
            long largestStateBytes) {
    }

    private final Path runnerDirectory;
    private final Path definition;
    private final Map<String, String> substitutions;
    private final String lambdaEndpoint;
    private final Path workDirectory;
    private final Duration retryInterval;
    private final ObjectMapper mapper = Json.mapper();
    private final Map<String, Process> executions = new ConcurrentHashMap<>();

    /**
     * @param retryInterval how long every Task's retries wait instead of their Retry rules' intervals
     *                      (the local provider answers at once), or null to keep the rules'
     */
    public LocalStepFunctions(Path runnerDirectory, Path definition, Map<String, String> substitutions,
            String lambdaEndpoint, Path workDirectory, Duration retryInterval) {
        if (!Files.isDirectory(runnerDirectory.resolve("node_modules/aws-local-stepfunctions"))) {
            throw new IllegalStateException("aws-local-stepfunctions is not installed in " + runnerDirectory
                    + ": run `npm ci --prefix " + runnerDirectory + "` (./batchline and .ci/run do)");
        }
        this.runnerDirectory = runnerDirectory.toAbsolutePath().normalize();
        this.definition = definition.toAbsolutePath().normalize();
        this.substitutions = Map.copyOf(substitutions);
        this.lambdaEndpoint = lambdaEndpoint;
        this.workDirectory = workDirectory;
        this.retryInterval = retryInterval;
    }

    /**
     * Each Task state's {@code TimeoutSeconds}, by the substitution its {@code Resource} names
     * ({@code ${SubmitBatchFunctionArn}} gives {@code SubmitBatchFunctionArn}), Map processors included.
     */
    public static Map<String, Duration> taskTimeouts(Path definition) throws IOException {
        Map<String, Duration> timeouts = new java.util.LinkedHashMap<>();
        collectTaskTimeouts(Json.mapper().readTree(definition.toFile()).path("States"), timeouts);
        return timeouts;
    }

    private static void collectTaskTimeouts(JsonNode states, Map<String, Duration> timeouts) {
        for (JsonNode state : states) {
            String resource = state.path("Resource").asText("");
            if ("Task".equals(state.path("Type").asText()) && resource.matches("\\$\\{\\w+}")
                    && state.has("TimeoutSeconds")) {
                timeouts.put(resource.substring(2, resource.length() - 1),
                        Duration.ofSeconds(state.get("TimeoutSeconds").asLong()));
            }
            collectTaskTimeouts(state.path("ItemProcessor").path("States"), timeouts);
        }
    }

    @Override
    public synchronized String start(String jobId, WorkflowInput input) {
        executions.computeIfAbsent(jobId, id -> launch(id, input));
        return "arn:aws:states:" + LocalLambdaEndpoint.REGION + ":" + LocalLambdaEndpoint.ACCOUNT
                + ":execution:batchline:" + jobId;
    }

    private Process launch(String jobId, WorkflowInput input) {
        try {
            Path directory = Files.createDirectories(workDirectory.resolve(jobId));
            Path inputFile = directory.resolve("input.json");
            Path substitutionsFile = directory.resolve("substitutions.json");
            Files.writeString(inputFile, Json.write(mapper, input));
            Files.writeString(substitutionsFile, Json.write(mapper, substitutions));
            ProcessBuilder builder = new ProcessBuilder(List.of("node", "--no-warnings", "--require",
                    runnerDirectory.resolve("polyfill.cjs").toString(),
                    runnerDirectory.resolve("run-execution.cjs").toString(), definition.toString(),
                    substitutionsFile.toString(), inputFile.toString(), directory.resolve("result.json").toString()))
                    .redirectErrorStream(true)
                    .redirectOutput(directory.resolve("engine.log").toFile());
            Map<String, String> environment = builder.environment();
            environment.put("AWS_ENDPOINT_URL_LAMBDA", lambdaEndpoint);
            environment.put("AWS_REGION", LocalLambdaEndpoint.REGION);
            environment.put("AWS_ACCESS_KEY_ID", "local");
            environment.put("AWS_SECRET_ACCESS_KEY", "local");
            environment.put("AWS_MAX_ATTEMPTS", "1");
            if (retryInterval != null) {
                environment.put("BATCHLINE_RETRY_INTERVAL_MILLIS", Long.toString(retryInterval.toMillis()));
            }
            return builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("starting the local state machine for job " + jobId, e);
        }
    }

    /** Waits for the execution of {@code jobId} to end. */
    public Outcome await(String jobId, Duration timeout) throws InterruptedException {
        Process process = executions.get(jobId);
        if (process == null) {
            throw new IllegalStateException("no execution for job " + jobId);
        }
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("the execution of job " + jobId + " did not end within " + timeout);
        }
        Path directory = workDirectory.resolve(jobId);
        try {
            if (process.exitValue() != 0) {
                throw new IllegalStateException("the local state machine engine broke: "
                        + Files.readString(directory.resolve("engine.log")));
            }
            JsonNode result = mapper.readTree(directory.resolve("result.json").toFile());
            return new Outcome("SUCCEEDED".equals(result.path("status").asText()), result.path("output"),
                    result.path("error").asText(null), result.path("cause").asText(null),
                    result.path("largestState").path("name").asText(null),
                    result.path("largestState").path("bytes").asLong());
        } catch (IOException e) {
            throw new UncheckedIOException("reading the result of job " + jobId, e);
        }
    }

    /** True once the execution of {@code jobId} has ended. */
    public boolean ended(String jobId) {
        Process process = executions.get(jobId);
        return process != null && !process.isAlive();
    }

    /** Ends every execution still running. */
    public void stopAll() {
        executions.values().forEach(Process::destroy);
    }
}
