package dev.batchline.lambda;

/**
 * What CompleteJob and FailJob are given: the execution's input, and for FailJob the error caught
 * and how many calls of it came before (FailJob works in slices, and the state machine calls it again).
 */
public record JobOutcomeRequest(String jobId, CaughtError error, Integer calls) {
}
