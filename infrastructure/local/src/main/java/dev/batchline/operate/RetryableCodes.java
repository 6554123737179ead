package dev.batchline.operate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.batchline.finalize.FinalRecord;
import dev.batchline.finalize.PipelineErrorCode;
import java.util.Set;

/**
 * Which error records {@code batchline retry} resubmits. By default those a second try may change:
 * the batch ran out of time, the provider lost or never reported the request, a part or the job
 * failed around it, or the provider answered 429 or 5xx. Never the caller's own 4xx (the same
 * request fails the same way) nor a cancel (someone wanted it stopped), unless named.
 *
 * @param named the codes to retry, exactly; empty for the default
 */
public record RetryableCodes(Set<String> named) {

    static final Set<PipelineErrorCode> DEFAULT = Set.of(PipelineErrorCode.BATCH_EXPIRED,
            PipelineErrorCode.BATCH_TIMED_OUT, PipelineErrorCode.MISSING_FROM_PROVIDER_OUTPUT,
            PipelineErrorCode.PART_FAILED, PipelineErrorCode.PROVIDER_OUTPUT_UNAVAILABLE, PipelineErrorCode.JOB_FAILED);
    private static final int TOO_MANY_REQUESTS = 429;

    public RetryableCodes {
        named = Set.copyOf(named);
    }

    public static RetryableCodes byDefault() {
        return new RetryableCodes(Set.of());
    }

    /** Whether the error record is one to resubmit. */
    public boolean retries(JsonNode record) {
        String code = FinalRecord.errorCodeOf(record);
        if (!named.isEmpty()) {
            return named.contains(code);
        }
        int status = record.path("response").path("status_code").asInt(0);
        return status == TOO_MANY_REQUESTS || status >= 500
                || DEFAULT.stream().anyMatch(retryable -> retryable.is(code));
    }
}
