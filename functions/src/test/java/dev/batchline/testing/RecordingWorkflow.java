package dev.batchline.testing;

import dev.batchline.ingest.WorkflowInput;
import dev.batchline.ingest.WorkflowStarter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A plain fake of Batchline's own {@link WorkflowStarter}: like Step Functions, it keeps one
 * execution per name and treats a second start of the same name as success. The real StartExecution
 * call is tested with the local Step Functions runtime (orchestration issue).
 */
public final class RecordingWorkflow implements WorkflowStarter {

    private final Map<String, WorkflowInput> executions = new LinkedHashMap<>();
    private final List<String> startCalls = new ArrayList<>();

    @Override
    public synchronized String start(String jobId, WorkflowInput input) {
        startCalls.add(jobId);
        executions.putIfAbsent(jobId, input);
        return "arn:aws:states:us-east-1:000000000000:execution:batchline:" + jobId;
    }

    public synchronized Map<String, WorkflowInput> executions() {
        return Map.copyOf(executions);
    }

    public synchronized List<String> startCalls() {
        return List.copyOf(startCalls);
    }
}
