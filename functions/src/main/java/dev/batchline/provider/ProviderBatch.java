package dev.batchline.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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

    /**
     * The batch a provider answered, or a copy of that answer read back: the one reading of the
     * batch object. {@code statusAliases} maps the provider's own status values to the OpenAI set.
     */
    public static ProviderBatch fromJson(JsonNode node, Map<String, String> statusAliases) {
        String rawStatus = text(node, "status");
        JsonNode counts = node.path("request_counts");
        List<BatchError> errors = new ArrayList<>();
        JsonNode errorList = node.path("errors");
        for (JsonNode error : errorList.isArray() ? errorList : errorList.path("data")) {
            errors.add(new BatchError(text(error, "code"), text(error, "message"), text(error, "param"),
                    error.hasNonNull("line") ? error.get("line").asInt() : null));
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        node.path("metadata").properties().forEach(entry -> metadata.put(entry.getKey(), entry.getValue().asText()));
        return new ProviderBatch(text(node, "id"), BatchStatus.normalize(rawStatus, statusAliases), rawStatus,
                text(node, "endpoint"), text(node, "input_file_id"), text(node, "output_file_id"),
                text(node, "error_file_id"), text(node, "completion_window"),
                new RequestCounts(counts.path("total").asLong(), counts.path("completed").asLong(),
                        counts.path("failed").asLong()),
                errors, metadata, (ObjectNode) node);
    }

    /** A text field; absent, null and empty (some providers send "" for "no file") all read as null. */
    public static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        String text = value.asText();
        return text.isEmpty() ? null : text;
    }

    /** Requests in the batch so far: total, succeeded, failed. */
    public record RequestCounts(long total, long completed, long failed) {
    }

    /** One entry of the batch's {@code errors.data}: why the provider refused the batch or a line of it. */
    public record BatchError(String code, String message, String param, Integer line) {
    }
}
