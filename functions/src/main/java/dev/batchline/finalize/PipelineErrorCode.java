package dev.batchline.finalize;

import dev.batchline.job.RecordOutcome;
import java.util.Locale;

/**
 * The error codes Batchline itself writes into error records (the provider's own codes are kept as
 * the provider wrote them). Providers use the first two in their error files too.
 */
public enum PipelineErrorCode {
    /** The batch's completion window ended before the request ran. */
    BATCH_EXPIRED,
    /** The batch was cancelled before the request ran. */
    BATCH_CANCELLED,
    /** The provider failed the whole batch; the record carries its {@code batch_errors}. */
    BATCH_FAILED,
    /** The batch completed without reporting the request in either file. */
    MISSING_FROM_PROVIDER_OUTPUT,
    /** The batch had not ended by the part's deadline; Batchline stopped waiting for it. */
    BATCH_TIMED_OUT,
    /** The provider's files could not be downloaded whole; the request's line was not in what arrived. */
    PROVIDER_OUTPUT_UNAVAILABLE,
    /** A step of the request's part failed for good; the other parts went on. */
    PART_FAILED,
    /** The job failed around the request's part, which had not finished. */
    JOB_FAILED;

    /** What a request with this code counts as. */
    public RecordOutcome outcome() {
        return switch (this) {
            case BATCH_EXPIRED, BATCH_TIMED_OUT -> RecordOutcome.EXPIRED;
            case BATCH_CANCELLED -> RecordOutcome.CANCELLED;
            case BATCH_FAILED, MISSING_FROM_PROVIDER_OUTPUT, PROVIDER_OUTPUT_UNAVAILABLE, PART_FAILED, JOB_FAILED ->
                    RecordOutcome.MISSING;
        };
    }

    /** The code as it appears in records and events. */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The code a record carries as this constant. */
    public static PipelineErrorCode of(String code) {
        return valueOf(code.toUpperCase(Locale.ROOT));
    }

    /** True when {@code code} (a provider's or Batchline's) is this one. */
    public boolean is(String code) {
        return code().equals(code);
    }
}
