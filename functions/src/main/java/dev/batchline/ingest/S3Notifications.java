package dev.batchline.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.batchline.job.SourceObject;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Reads the created objects out of an S3 event notification (the {@code Records} of {@code aws:s3}). */
public final class S3Notifications {

    private S3Notifications() {
    }

    /** The objects an S3 notification announces as created; none for the s3:TestEvent S3 sends on set-up. */
    public static List<SourceObject> createdObjects(JsonNode notification) {
        List<SourceObject> objects = new ArrayList<>();
        for (JsonNode record : notification.path("Records")) {
            if (!"aws:s3".equals(record.path("eventSource").asText())
                    || !record.path("eventName").asText().startsWith("ObjectCreated:")) {
                continue;
            }
            JsonNode s3 = record.path("s3");
            JsonNode object = s3.path("object");
            String etag = object.path("eTag").asText(null);
            objects.add(new SourceObject(
                    requireText(s3.path("bucket"), "name"),
                    // Keys arrive form-encoded: a space is '+', a '+' is %2B.
                    URLDecoder.decode(requireText(object, "key"), StandardCharsets.UTF_8),
                    object.path("versionId").asText(null),
                    etag == null ? null : etag.replace("\"", ""),
                    object.path("size").asLong()));
        }
        return objects;
    }

    private static String requireText(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw new IllegalArgumentException("S3 event record has no " + field);
        }
        return value.asText();
    }
}
