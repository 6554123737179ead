package dev.batchline.local.bench;

import dev.batchline.lambda.BatchlineFunction;
import dev.batchline.local.runtime.EndToEndSupport;
import dev.batchline.local.runtime.FunctionHosting;
import dev.batchline.local.runtime.LambdaSandbox;
import dev.batchline.local.runtime.LocalFunction;
import dev.batchline.local.runtime.LocalPipeline;
import dev.batchline.local.runtime.LocalStepFunctions;
import dev.batchline.local.runtime.SandboxPool;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Cold starts of every function as Lambda runs it ({@link LambdaSandbox}: the shaded jar under the
 * runtime interface client, Lambda's JVM flags, a heap from the function's memory, one core): the
 * time from the process's start to its first {@code next}, and the time its first real event takes
 * (a job through all of them, against the emulators and the local provider), each beside a bare
 * JVM start with the same flags ({@code java -version}) measured in the same run. Prints medians.
 *
 * <pre>mvn -B -q -pl infrastructure/local -am -DskipTests -Pbench-cold-start verify</pre>
 */
public final class ColdStartBench {

    private static final Duration GOAL = Duration.ofSeconds(1);

    private ColdStartBench() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        Path root = Path.of(System.getProperty("batchline.root", "")).toAbsolutePath().normalize();
        Map<BatchlineFunction, List<Long>> bare = samples();
        Map<BatchlineFunction, List<Long>> boot = samples();
        Map<BatchlineFunction, List<Long>> first = samples();
        Map<BatchlineFunction, List<Long>> primedBoot = samples();
        Map<BatchlineFunction, List<Long>> primedFirst = samples();
        for (int round = 0; round < rounds; round++) {
            for (BatchlineFunction function : BatchlineFunction.values()) {
                bare.get(function).add(bareJvmStart(function.memoryMb()).toMillis());
            }
            runOnce(root, LambdaSandbox.Initialization.ON_DEMAND, boot, first);
            runOnce(root, LambdaSandbox.Initialization.SNAP_START, primedBoot, primedFirst);
        }
        System.out.printf(Locale.ROOT, "cold starts, medians of %d rounds (ms); goal: the first answer within %d ms"
                + "%n", rounds, GOAL.toMillis());
        System.out.printf(Locale.ROOT, "%-13s %5s %5s | %-25s | %-30s%n", "", "", "", "on demand", "SnapStart's init (primed)");
        System.out.printf(Locale.ROOT, "%-13s %5s %5s | %6s %6s %5s %6s | %9s %6s %6s%n", "function", "MB", "JVM",
                "init", "answer", "sum", "x JVM", "init", "answer", "x JVM");
        for (BatchlineFunction function : BatchlineFunction.values()) {
            long jvm = median(bare.get(function));
            long next = median(boot.get(function));
            long answer = median(first.get(function));
            long primedAnswer = median(primedFirst.get(function));
            System.out.printf(Locale.ROOT, "%-13s %5d %5d | %6d %6d %5d %6.1f | %9d %6d %6.1f%n", function.id(),
                    function.memoryMb(), jvm, next, answer, next + answer, (next + answer) / (double) jvm,
                    median(primedBoot.get(function)), primedAnswer, primedAnswer / (double) jvm);
        }
        System.out.println("JVM: java -version with the same flags; init: process start to the first next (SnapStart:"
                + " with the priming hooks, done before the snapshot); answer: the first real event's call.");
    }

    /**
     * One local stack whose functions run in sandboxes: each booted alone to its first {@code next},
     * then a job whose first part's upload the provider refuses (so FailPart runs too) and a late
     * FailJob call, each function's first answer timed by its sandbox.
     */
    private static void runOnce(Path root, LambdaSandbox.Initialization initialization,
            Map<BatchlineFunction, List<Long>> boot, Map<BatchlineFunction, List<Long>> first) throws Exception {
        LocalPipeline.Settings settings = new LocalPipeline.Settings(EndToEndSupport.fast(
                EndToEndSupport.firstUploadRefused()), null, null, root.resolve("infrastructure/local/sfn"),
                root.resolve("statemachine/batchline.asl.json"), "generic",
                Map.of("maxRequestsPerBatch", 2, "maxConcurrentBatches", 1), Map.of());
        Path requests = EndToEndSupport.writeRequests(Files.createTempFile("cold-start", ".jsonl"), 6);
        try (LocalPipeline pipeline = LocalPipeline.start(settings,
                FunctionHosting.LambdaProcesses.fromBuild(root, LambdaSandbox.Definition::of, initialization, 1))) {
            for (BatchlineFunction function : BatchlineFunction.values()) {
                boot.get(function).add(sandbox(pipeline, function).boot(Duration.ofMinutes(1)).untilFirstNext()
                        .toMillis());
            }
            String jobId = pipeline.submit(requests, LocalPipeline.LOCAL_PROFILE).path("jobId").asText();
            LocalStepFunctions.Outcome outcome = pipeline.await(jobId, Duration.ofMinutes(5));
            if (!outcome.succeeded()) {
                throw new IllegalStateException("the job failed: " + outcome.error() + ": " + outcome.cause());
            }
            LocalFunction.Invocation late = pipeline.functions().get(BatchlineFunction.FAIL_JOB).invoke(
                    ("{\"jobId\":\"" + jobId + "\",\"error\":{\"Error\":\"States.TaskFailed\",\"Cause\":\"late\"}}")
                            .getBytes(StandardCharsets.UTF_8));
            if (late.functionError()) {
                throw new IllegalStateException("FailJob failed: " + new String(late.payload(), StandardCharsets.UTF_8));
            }
            for (BatchlineFunction function : BatchlineFunction.values()) {
                first.get(function).add(sandbox(pipeline, function).firstResponse().toMillis());
            }
        } finally {
            Files.deleteIfExists(requests);
        }
    }

    private static LambdaSandbox sandbox(LocalPipeline pipeline, BatchlineFunction function) {
        return ((SandboxPool) pipeline.functions().get(function)).first();
    }

    /** {@code java -version} with the sandbox's flags, on one core: what no function can start faster than. */
    private static Duration bareJvmStart(int memoryMb) throws Exception {
        List<String> command = new ArrayList<>(LambdaSandbox.java(0, memoryMb));
        command.add("-version");
        long start = System.nanoTime();
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (process.waitFor() != 0) {
            throw new IllegalStateException("java -version failed");
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }

    private static Map<BatchlineFunction, List<Long>> samples() {
        Map<BatchlineFunction, List<Long>> samples = new EnumMap<>(BatchlineFunction.class);
        for (BatchlineFunction function : BatchlineFunction.values()) {
            samples.put(function, new ArrayList<>());
        }
        return samples;
    }

    private static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}
