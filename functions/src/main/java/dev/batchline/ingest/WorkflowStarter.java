package dev.batchline.ingest;

/** Starts the state machine for a job. */
public interface WorkflowStarter {

    /**
     * Starts the execution named {@code jobId}; starting one that already runs is success, so a
     * redelivered upload event can call this again. Returns the execution's id.
     */
    String start(String jobId, WorkflowInput input);
}
