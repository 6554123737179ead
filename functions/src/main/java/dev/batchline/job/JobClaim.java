package dev.batchline.job;

/**
 * The answer to "may I process this upload?".
 *
 * @param granted true when the caller now holds the job: it was new, or an earlier reader's lease ran out
 * @param job     the job as stored after the claim
 */
public record JobClaim(boolean granted, JobRecord job) {
}
