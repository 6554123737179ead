package dev.batchline.job;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The Map item: one part as it travels through the state machine. The Map's {@code ItemSelector}
 * writes the first two fields, and each step returns it with what the next state decides on. Small
 * on purpose (execution history carries it at every step); the part itself lives in DynamoDB.
 *
 * @param batchId         the provider batch, once submitted
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
        String batchId,
        Integer nextPollSeconds,
        Integer polls,
        Boolean terminal,
        Boolean resubmit,
        Boolean moreWork) implements JobScoped {

    /** The item as the Map hands it to its first state. */
    public static PartProgress item(String jobId, int partNumber) {
        return new PartProgress(jobId, partNumber, null, null, null, null, null, null);
    }

    public PartProgress withBatch(String id, int waitSeconds, int pollCount, boolean ended, boolean again) {
        return new PartProgress(jobId, partNumber, id, waitSeconds, pollCount, ended, again, null);
    }

    public PartProgress withMoreWork(boolean more) {
        return new PartProgress(jobId, partNumber, batchId, nextPollSeconds, polls, terminal, resubmit, more);
    }
}
