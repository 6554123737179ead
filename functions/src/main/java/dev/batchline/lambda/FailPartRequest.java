package dev.batchline.lambda;

import dev.batchline.job.JobScoped;

/**
 * What FailPart is given: the part's item with the error its step's Catch added, or on a later
 * call the item FailPart answered (the failure is recorded by then).
 */
public record FailPartRequest(String jobId, int partNumber, CaughtError error) implements JobScoped {
}
