package dev.batchline.local.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.batchline.config.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** statemachine/batchline.asl.json: linted by asl-validator, and held to the project's rules for Task states (docs/architecture.md). */
class StateMachineDefinitionTest {

    private static final Path DEFINITION = EndToEndSupport.DEFINITION;
    private static final List<String> LAMBDA_ERRORS = List.of("Lambda.ServiceException", "Lambda.AWSLambdaException",
            "Lambda.SdkClientException", "Lambda.TooManyRequestsException");

    @TempDir
    Path directory;

    private record Lint(int exitCode, String output) {
    }

    private static Lint lint(Path definition) throws Exception {
        Process process = new ProcessBuilder("node", EndToEndSupport.RUNNER.resolve(
                "node_modules/asl-validator/dist/bin/asl-validator.js").toString(), "--json-path",
                definition.toString()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Lint(process.exitValue(), output);
    }

    @Test
    void aslValidator_acceptsTheDefinition() throws Exception {
        Lint lint = lint(DEFINITION);

        assertThat(lint.exitCode()).as(lint.output()).isZero();
        assertThat(lint.output()).contains("is valid");
    }

    @Test
    void aslValidator_refusesABrokenCopy() throws Exception {
        ObjectNode definition = (ObjectNode) Json.mapper().readTree(DEFINITION.toFile());
        ((ObjectNode) definition.path("States").path("CompleteJob")).put("Next", "NoSuchState");
        Path broken = directory.resolve("broken.asl.json");
        Files.writeString(broken, definition.toString());

        assertThat(lint(broken).exitCode()).isNotZero();
    }

    @Test
    void everyTask_namesAFunctionArnHasATimeoutAndRetriesLambdaServiceErrorsAndItsTimeOut() throws Exception {
        List<JsonNode> tasks = new ArrayList<>();
        collectTasks(Json.mapper().readTree(DEFINITION.toFile()).path("States"), tasks);

        assertThat(tasks).hasSize(7);
        assertThat(tasks).allSatisfy(task -> {
            assertThat(task.path("Resource").asText()).matches("\\$\\{[A-Za-z]+FunctionArn}");
            assertThat(task.path("TimeoutSeconds").asInt()).isPositive();
            List<String> retried = new ArrayList<>();
            task.path("Retry").forEach(rule -> rule.path("ErrorEquals").forEach(e -> retried.add(e.asText())));
            assertThat(retried.containsAll(LAMBDA_ERRORS) || retried.contains("States.ALL")).as(task.toString())
                    .isTrue();
            // A Task past its TimeoutSeconds (a stalled provider call, a cold container) is tried again.
            assertThat(retried.contains("States.Timeout") || retried.contains("States.ALL")).as(task.toString())
                    .isTrue();
        });
    }

    /** A part fails alone: whatever ends one of its steps for good goes to FailPart, never out of the Map. */
    @Test
    void everyStepOfAPart_catchesIntoFailPart_whichLoopsToTheEndOfThePart() throws Exception {
        JsonNode states = Json.mapper().readTree(DEFINITION.toFile()).path("States").path("ProcessParts")
                .path("ItemProcessor").path("States");
        for (String step : List.of("SubmitBatch", "PollBatch", "FinalizePart")) {
            JsonNode catches = states.path(step).path("Catch");
            assertThat(catches).as(step).hasSize(1);
            assertThat(catches.get(0).path("ErrorEquals").get(0).asText()).isEqualTo("States.ALL");
            assertThat(catches.get(0).path("Next").asText()).isEqualTo("FailPart");
            assertThat(catches.get(0).path("ResultPath").asText()).isEqualTo("$.error");
        }
        assertThat(states.path("FailPart").path("Next").asText()).isEqualTo("MoreToFail");
        assertThat(states.path("MoreToFail").path("Default").asText()).isEqualTo("PartDone");
        assertThat(states.path("MoreToFail").path("Choices").get(0).path("Next").asText()).isEqualTo("FailPart");
    }

    /** Finalizing resumes from its checkpoint: a failure of any kind is worth another try. */
    @Test
    void finalizePart_retriesAnyTaskFailureAfterItsSpecificRules() throws Exception {
        JsonNode finalize = Json.mapper().readTree(DEFINITION.toFile()).path("States").path("ProcessParts")
                .path("ItemProcessor").path("States").path("FinalizePart");
        JsonNode rules = finalize.path("Retry");
        JsonNode last = rules.get(rules.size() - 1);

        assertThat(last.path("ErrorEquals").get(0).asText()).isEqualTo("States.TaskFailed");
        assertThat(last.path("MaxAttempts").asInt()).isBetween(1, 5);
    }

    private static void collectTasks(JsonNode states, List<JsonNode> tasks) {
        for (Map.Entry<String, JsonNode> state : states.properties()) {
            JsonNode body = state.getValue();
            if ("Task".equals(body.path("Type").asText())) {
                tasks.add(body);
            }
            if (body.has("ItemProcessor")) {
                collectTasks(body.path("ItemProcessor").path("States"), tasks);
            }
        }
    }
}
