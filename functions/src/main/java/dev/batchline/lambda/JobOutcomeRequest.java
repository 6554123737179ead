package dev.batchline.lambda;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What CompleteJob and FailJob are given: the execution's input, and for FailJob the error caught.
 *
 * @param error {@code {"Error", "Cause"}} as Step Functions' Catch records it, or null
 */
public record JobOutcomeRequest(String jobId, CaughtError error) {

    public record CaughtError(@JsonProperty("Error") String error, @JsonProperty("Cause") String cause) {
    }
}
