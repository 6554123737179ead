package dev.batchline.finalize;

import dev.batchline.job.MergedSegment;
import java.util.List;

/**
 * Where a slice's records go. A slice hands over its records, then flushes them as one unit before
 * its checkpoint is saved, so whatever the sink writes (objects, events, merged segments) a resumed
 * slice neither loses nor repeats one.
 */
public interface RecordSink {

    /** Takes one record; it need not be durable before {@link #flush()}. */
    void write(FinalRecord record);

    /**
     * Removes the result a failed slice may have written for a request past its last checkpoint,
     * before an error record takes the request: a request keeps one record.
     */
    void withdrawResult(String customId);

    /**
     * Makes every record taken so far durable, with whatever goes with it; returns the merged-output
     * segments written since the last flush, for the checkpoint to commit (none without merged output).
     */
    List<MergedSegment> flush();

    /**
     * The checkpoint that commits the last flush is saved: what must not come before it goes now
     * (events naming merged segments, which only a commit makes part of the output).
     */
    void committed();

    /** Whose records a sink takes: one part of a job, in one finalize invocation ({@code run}). */
    record Target(String bucket, String jobId, int partNumber, String run) {
    }

    /** Opens a sink for one part's records. */
    @FunctionalInterface
    interface Factory {
        RecordSink open(Target target);
    }
}
