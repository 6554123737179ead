package dev.batchline.ingest;

import java.util.List;
import java.util.stream.IntStream;

/**
 * The state machine's input: only what the Map over parts needs. Everything else about a part lives
 * in its record in DynamoDB, so the input grows by a part number per part and a job of
 * {@link #MAX_PARTS} parts stays far below Step Functions' 256 KB payload limit.
 *
 * @param maxConcurrency provider batches of this job in flight at once (the profile's)
 * @param parts          the part numbers, 1 to the part count
 */
public record WorkflowInput(String jobId, int maxConcurrency, List<Integer> parts) {

    /**
     * The most parts a job may have. Its input then holds about 49 KB of part numbers, and the Map's
     * result (an empty object per part) about 30 KB.
     */
    public static final int MAX_PARTS = 10_000;

    public static WorkflowInput of(String jobId, int maxConcurrency, int partCount) {
        return new WorkflowInput(jobId, maxConcurrency, IntStream.rangeClosed(1, partCount).boxed().toList());
    }
}
