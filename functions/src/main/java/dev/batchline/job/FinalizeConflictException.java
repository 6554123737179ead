package dev.batchline.job;

/**
 * Another FinalizePart run of the same part saved a checkpoint first (a retried time-out running
 * beside the one it replaced). This run's slice is dropped; the state machine retries, and the
 * retry starts from the checkpoint that won.
 */
public final class FinalizeConflictException extends RuntimeException {

    public FinalizeConflictException(String jobId, int partNumber, int checkpoint) {
        super("job " + jobId + " part " + partNumber + ": another run saved finalize checkpoint " + checkpoint
                + " first");
    }
}
