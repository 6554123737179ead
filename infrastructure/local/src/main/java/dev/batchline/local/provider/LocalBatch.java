package dev.batchline.local.provider;

import dev.batchline.provider.BatchStatus;
import dev.batchline.provider.ProviderBatch;
import java.io.BufferedReader;
import java.io.Writer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One batch of the local provider and where its processing stands. Guarded by the engine's lock. */
final class LocalBatch {

    final String id;
    final String endpoint;
    final String inputFileId;
    final String completionWindow;
    final Map<String, String> metadata;
    final long createdAtMillis;
    final long expiresAtMillis;
    final Map<String, Long> timestamps = new LinkedHashMap<>();
    final List<ProviderBatch.BatchError> errors = new ArrayList<>();

    BatchStatus status = BatchStatus.VALIDATING;
    long phaseStartMillis;
    long total;
    long completed;
    long failed;
    boolean cancelRequested;
    String outputFileId;
    String errorFileId;

    // While in progress.
    BufferedReader input;
    Path outputPath;
    Path errorPath;
    Writer output;
    Writer errorOutput;
    long processed;
    double budget;
    final List<String[]> window = new ArrayList<>();

    LocalBatch(String id, String endpoint, String inputFileId, String completionWindow, Map<String, String> metadata,
            long createdAtMillis, long expiresAtMillis) {
        this.id = id;
        this.endpoint = endpoint;
        this.inputFileId = inputFileId;
        this.completionWindow = completionWindow;
        this.metadata = metadata;
        this.createdAtMillis = createdAtMillis;
        this.expiresAtMillis = expiresAtMillis;
        this.phaseStartMillis = createdAtMillis;
    }

    void enter(BatchStatus next, long nowMillis) {
        status = next;
        phaseStartMillis = nowMillis;
        timestamps.put(next.wireValue() + "_at", nowMillis / 1000);
    }

    boolean running() {
        return status == BatchStatus.IN_PROGRESS || status == BatchStatus.FINALIZING
                || status == BatchStatus.CANCELLING;
    }
}
