package dev.batchline.provider;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/**
 * A provider's batch object, normalised: status mapped to the OpenAI set, empty file ids as null.
 *
 * @param rawStatus what the provider sent, for the record and for {@link BatchStatus#UNKNOWN}
 * @param raw       the whole object as received, unknown fields included
 */
public record ProviderBatch(
        String id,
        BatchStatus status,
        String rawStatus,
        String endpoint,
        String inputFileId,
        String outputFileId,
        String errorFileId,
        String completionWindow,
        RequestCounts requestCounts,
        List<BatchError> errors,
        Map<String, String> metadata,
        ObjectNode raw) {

    /** Requests in the batch so far: total, succeeded, failed. */
    public record RequestCounts(long total, long completed, long failed) {
    }

    /** One entry of the batch's {@code errors.data}: why the provider refused the batch or a line of it. */
    public record BatchError(String code, String message, String param, Integer line) {
    }
}
