package dev.batchline.lambda;

import dev.batchline.job.JobScoped;

/**
 * What CompleteJob and FailJob are given: the execution's input, and for FailJob the error caught,
 * how many calls of it came before (FailJob works in slices, and the state machine calls it again),
 * and whether only the status and manifest are to be written (FailJob itself failed for good).
 */
public record JobOutcomeRequest(String jobId, CaughtError error, Integer calls, Boolean manifestOnly)
        implements JobScoped {
}
