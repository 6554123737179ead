package dev.batchline.job;

/**
 * Why a part ended without finishing: it failed alone (its own step failed for good), or its job
 * failed around it. Its requests without a record then get an error record with {@code code}.
 *
 * @param code   the error code of those records: {@code part_failed} or {@code job_failed}
 * @param reason what failed, as the state machine caught it: error name and cause
 * @param during the finalize phase the part was in, or null when it had not started finalizing;
 *               a part that failed while splitting a provider file may have written result objects
 *               past its last checkpoint, which its error records then replace
 */
public record PartFailure(String code, String reason, FinalizePhase during) {
}
