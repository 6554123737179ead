package dev.batchline.ingest;

import java.util.List;

/**
 * The state machine's input: what the Map over parts needs (DESIGN.md §1).
 *
 * @param maxConcurrency provider batches of this job in flight at once (the profile's)
 */
public record WorkflowInput(String jobId, String bucket, String profile, int maxConcurrency, List<Part> parts) {

    public record Part(String jobId, int partNumber, String key, int requests, long bytes) {
    }
}
