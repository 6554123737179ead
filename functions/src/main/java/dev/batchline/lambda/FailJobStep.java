package dev.batchline.lambda;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * FailJob's answer: called again with it while {@code moreWork}; then the job's ending.
 *
 * @param status      {@code failed}, or {@code completed} when the job had completed before
 * @param manifestKey the job's manifest, once written
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FailJobStep(String jobId, CaughtError error, int calls, boolean moreWork, String status,
        String manifestKey) {
}
