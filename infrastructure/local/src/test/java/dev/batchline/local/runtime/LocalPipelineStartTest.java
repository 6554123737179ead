package dev.batchline.local.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.batchline.local.provider.LocalProviderConfig;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A local stack whose start fails midway leaves nothing behind: no server, emulator or thread of its
 * own running (the AWS SDK's daemon threads aside), no working directory.
 */
class LocalPipelineStartTest extends EndToEndSupport {

    /** Threads a closed server may take a moment to end: waited for, within a bound. */
    private static final Duration THREADS_END_WITHIN = Duration.ofSeconds(30);

    /** Fails once the emulators, the provider and the Step Functions API are up, before any function. */
    @Test
    void start_whenTheDefinitionSetsNoTaskTimeouts_stopsWhatItStarted() throws Exception {
        Path definition = directory.resolve("no-timeouts.asl.json");
        JsonNode asl = mapper.readTree(DEFINITION.toFile());
        removeTimeouts(asl);
        mapper.writeValue(definition.toFile(), asl);

        assertStartFailsLeavingNothing(RUNNER, definition, "TimeoutSeconds");
    }

    /** Fails once the functions and their endpoint are up too: the endpoint closes them. */
    @Test
    void start_whenTheStateMachineEngineIsMissing_stopsWhatItStarted() throws Exception {
        Path runner = Files.createDirectories(directory.resolve("runner-without-engine"));

        assertStartFailsLeavingNothing(runner, DEFINITION, "aws-local-stepfunctions is not installed");
    }

    private void assertStartFailsLeavingNothing(Path runner, Path definition, String failure) throws Exception {
        Set<Thread> threadsBefore = runningThreads();
        Set<Path> runDirectoriesBefore = runDirectories();

        assertThatThrownBy(() -> LocalPipeline.start(new LocalPipeline.Settings(
                fast(LocalProviderConfig.Faults.NONE), null, null, runner, definition, "generic", Map.of(), Map.of())))
                .hasMessageContaining(failure);

        assertThat(runDirectories()).isEqualTo(runDirectoriesBefore);
        Instant deadline = Instant.now().plus(THREADS_END_WITHIN);
        for (Thread thread : threadsStartedSince(threadsBefore)) {
            thread.join(Math.max(1, Duration.between(Instant.now(), deadline).toMillis()));
        }
        assertThat(threadsStartedSince(threadsBefore)).extracting(Thread::getName)
                .as("threads the failed start left running").isEmpty();
    }

    private static void removeTimeouts(JsonNode node) {
        if (node instanceof ObjectNode object) {
            object.remove("TimeoutSeconds");
        }
        node.forEach(LocalPipelineStartTest::removeTimeouts);
    }

    private static Set<Thread> runningThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(thread -> !thread.isDaemon())
                .collect(Collectors.toCollection(HashSet::new));
    }

    private static List<Thread> threadsStartedSince(Set<Thread> before) {
        return runningThreads().stream().filter(thread -> !before.contains(thread)).collect(Collectors.toList());
    }

    private static Set<Path> runDirectories() throws IOException {
        Set<Path> found = new HashSet<>();
        try (DirectoryStream<Path> runs = Files.newDirectoryStream(Path.of(System.getProperty("java.io.tmpdir")),
                "batchline-run*")) {
            runs.forEach(found::add);
        }
        return found;
    }
}
