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
    private final WorkflowInput input = WorkflowInput.of("job-1", 10, 3);

    @Test
    void start_namesTheExecutionByTheJobAndPassesTheInputAsJson() throws Exception {
        String execution = starter.start("job-1", input);

        assertThat(execution).isEqualTo("arn:aws:states:eu-west-1:123456789012:execution:batchline:job-1");
        StartExecutionRequest request = sfn.requests.get(0);
        assertThat(request.stateMachineArn()).isEqualTo(STATE_MACHINE);
        assertThat(request.name()).isEqualTo("job-1");
        JsonNode sent = mapper.readTree(request.input());
        assertThat(sent.path("maxConcurrency").asInt()).isEqualTo(10);
        assertThat(sent.path("parts").toString()).isEqualTo("[1,2,3]");
    }

    /**
     * Step Functions refuses inputs and state results over 256 KB. The execution input holds the part
     * numbers; the Map's result holds an empty object per part (PartDone's output is dropped).
     */
    @Test
    void start_forJobsOfTwoThousandAndOfTheMostParts_staysUnderThePayloadLimit() throws Exception {
        String longestJobId = "j".repeat(80);
        for (int parts : new int[] {2_000, WorkflowInput.MAX_PARTS}) {
            starter.start(longestJobId + parts, WorkflowInput.of(longestJobId, 10_000, parts));
            String sent = sfn.requests.get(sfn.requests.size() - 1).input();
            String mapResult = mapper.writeValueAsString(java.util.Collections.nCopies(parts,
                    mapper.createObjectNode()));

            assertThat(mapper.readTree(sent).path("parts")).hasSize(parts);
            assertThat(sent.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + mapResult.length())
                    .as("input and Map result of a %d-part job", parts).isLessThan(256 * 1024);
        }
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
