package dev.batchline.job;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One part as it travels through the state machine: the Map item, then what each step returns.
 * Small on purpose (execution history carries it at every step); the details live in DynamoDB.
 *
 * @param nextPollSeconds wait before the next poll (grows up to the profile's cap)
 * @param polls           polls so far
 * @param terminal        the provider batch has ended: finalize it
 * @param resubmit        the provider refused for capacity: wait, then submit again
 * @param moreWork        finalizing stopped at a slice boundary: call it again
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PartProgress(
        String jobId,
        int partNumber,
        String key,
        int requests,
        long bytes,
        String batchId,
        String batchStatus,
        Integer nextPollSeconds,
        Integer polls,
        Boolean terminal,
        Boolean resubmit,
        Boolean moreWork) {

    public PartProgress withBatch(String id, String status, int waitSeconds, int pollCount, boolean ended,
            boolean again) {
        return new PartProgress(jobId, partNumber, key, requests, bytes, id, status, waitSeconds, pollCount, ended,
                again, null);
    }

    public PartProgress withMoreWork(boolean more) {
        return new PartProgress(jobId, partNumber, key, requests, bytes, batchId, batchStatus, nextPollSeconds, polls,
                terminal, resubmit, more);
    }
}
