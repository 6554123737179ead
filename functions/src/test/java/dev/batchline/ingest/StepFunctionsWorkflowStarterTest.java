package dev.batchline.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchline.config.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionAlreadyExistsException;
import software.amazon.awssdk.services.sfn.model.StartExecutionRequest;
import software.amazon.awssdk.services.sfn.model.StartExecutionResponse;

/**
 * The StartExecution call through a plain fake of the SDK's SfnClient interface, which refuses a
 * second execution of one name as Step Functions does. The same call against a running Step
 * Functions API comes with the local runtime of the orchestration issue.
 */
class StepFunctionsWorkflowStarterTest {

    private static final String STATE_MACHINE = "arn:aws:states:eu-west-1:123456789012:stateMachine:batchline";

    private final ObjectMapper mapper = Json.mapper();
    private final FakeSfn sfn = new FakeSfn();
    private final StepFunctionsWorkflowStarter starter = new StepFunctionsWorkflowStarter(sfn, STATE_MACHINE, mapper);
    private final WorkflowInput input = new WorkflowInput("job-1", "bucket", "openai", 10,
            List.of(new WorkflowInput.Part("job-1", 1, "staging/job-1/part-00001.jsonl", 3, 300)));

    @Test
    void start_namesTheExecutionByTheJobAndPassesTheInputAsJson() throws Exception {
        String execution = starter.start("job-1", input);

        assertThat(execution).isEqualTo("arn:aws:states:eu-west-1:123456789012:execution:batchline:job-1");
        StartExecutionRequest request = sfn.requests.get(0);
        assertThat(request.stateMachineArn()).isEqualTo(STATE_MACHINE);
        assertThat(request.name()).isEqualTo("job-1");
        JsonNode sent = mapper.readTree(request.input());
        assertThat(sent.path("maxConcurrency").asInt()).isEqualTo(10);
        assertThat(sent.path("parts").get(0).path("key").asText()).isEqualTo("staging/job-1/part-00001.jsonl");
    }

    @Test
    void start_whenTheExecutionAlreadyExists_succeedsWithItsArn() {
        String first = starter.start("job-1", input);
        String second = starter.start("job-1", input);

        assertThat(second).isEqualTo(first);
        assertThat(sfn.executions).containsExactly("job-1");
    }

    private static final class FakeSfn implements SfnClient {
        final List<StartExecutionRequest> requests = new ArrayList<>();
        final Set<String> executions = new TreeSet<>();

        @Override
        public StartExecutionResponse startExecution(StartExecutionRequest request) {
            requests.add(request);
            if (!executions.add(request.name())) {
                throw ExecutionAlreadyExistsException.builder().message("Execution Already Exists").build();
            }
            return StartExecutionResponse.builder()
                    .executionArn(request.stateMachineArn().replace(":stateMachine:", ":execution:") + ":"
                            + request.name())
                    .build();
        }

        @Override
        public String serviceName() {
            return "states";
        }

        @Override
        public void close() {
        }
    }
}
