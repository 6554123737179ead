package dev.batchline.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchline.config.Json;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionAlreadyExistsException;

/** Starts the Batchline state machine with the job id as the execution name, which makes the start idempotent. */
public final class StepFunctionsWorkflowStarter implements WorkflowStarter {

    private final SfnClient sfn;
    private final String stateMachineArn;
    private final ObjectMapper mapper;

    public StepFunctionsWorkflowStarter(SfnClient sfn, String stateMachineArn, ObjectMapper mapper) {
        this.sfn = sfn;
        this.stateMachineArn = stateMachineArn;
        this.mapper = mapper;
    }

    @Override
    public String start(String jobId, WorkflowInput input) {
        String json = Json.write(mapper, input);
        try {
            return sfn.startExecution(r -> r.stateMachineArn(stateMachineArn).name(jobId).input(json)).executionArn();
        } catch (ExecutionAlreadyExistsException e) {
            return executionArn(jobId);
        }
    }

    /** arn:aws:states:region:account:stateMachine:name becomes arn:aws:states:region:account:execution:name:jobId. */
    String executionArn(String jobId) {
        return stateMachineArn.replaceFirst(":stateMachine:", ":execution:") + ":" + jobId;
    }
}
