package dev.batchline.job;

import java.time.Instant;

/**
 * Another run holds the part's finalize lease (a run the state machine gave up on for a time-out,
 * still going until its own deadline). This run does nothing; the state machine retries it after
 * the lease ends.
 */
public final class FinalizeLeaseHeldException extends RuntimeException {

    public FinalizeLeaseHeldException(String jobId, int partNumber, Instant until) {
        super("job " + jobId + " part " + partNumber + ": another run holds the finalize lease until " + until);
    }
}
