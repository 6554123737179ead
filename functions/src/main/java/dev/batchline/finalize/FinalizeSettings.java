package dev.batchline.finalize;

import java.time.Duration;

/**
 * @param sliceRecords records written before the cursor is saved and the step hands back
 * @param putThreads   records written to S3 at once
 * @param safetyMargin time kept in hand before the invocation's deadline
 */
public record FinalizeSettings(int sliceRecords, int putThreads, RecordEvents recordEvents,
        RecordOutputs recordOutputs, Duration safetyMargin) {

    public static final FinalizeSettings DEFAULTS = new FinalizeSettings(20_000, 16, RecordEvents.ALL,
            RecordOutputs.BOTH, Duration.ofSeconds(60));

    public FinalizeSettings {
        if (sliceRecords < 1 || putThreads < 1) {
            throw new IllegalArgumentException("BATCHLINE_FINALIZE_SLICE and the writer threads must be at least 1, got "
                    + sliceRecords + " and " + putThreads);
        }
    }
}
