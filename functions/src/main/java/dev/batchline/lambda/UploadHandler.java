package dev.batchline.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchline.ingest.IngestOutcome;
import dev.batchline.ingest.IngestService;
import dev.batchline.ingest.S3Notifications;
import dev.batchline.job.SourceObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The upload trigger. Takes S3 notifications wrapped in an SQS event (the deployed path, answering
 * with partial batch failures so one bad message does not redeliver the others) or a direct S3
 * event (a hand invocation); each created object goes to the {@link IngestService}.
 *
 * <p>A stream handler, because one function answers two event shapes.
 */
public final class UploadHandler implements RequestStreamHandler {

    private static final Logger LOG = LoggerFactory.getLogger(UploadHandler.class);

    private final IngestService ingest;
    private final ObjectMapper mapper;

    /** Used by Lambda: clients and configuration built once per container. */
    public UploadHandler() {
        this(Services.fromEnvironment());
    }

    public UploadHandler(Services services) {
        this(services.ingest(), services.mapper());
    }

    public UploadHandler(IngestService ingest, ObjectMapper mapper) {
        this.ingest = ingest;
        this.mapper = mapper;
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        JsonNode event = mapper.readTree(input);
        JsonNode records = event.path("Records");
        boolean fromSqs = records.size() > 0 && "aws:sqs".equals(records.get(0).path("eventSource").asText());
        Object response = fromSqs ? handleSqs(records) : Map.of("outcomes", handleS3(event));
        mapper.writeValue(output, response);
    }

    private List<IngestOutcome> handleS3(JsonNode notification) {
        List<IngestOutcome> outcomes = new ArrayList<>();
        for (SourceObject object : S3Notifications.createdObjects(notification)) {
            outcomes.add(ingest.ingest(object));
        }
        return outcomes;
    }

    /** Failed messages are reported back, the others deleted: SQS redelivers only what failed. */
    private Map<String, Object> handleSqs(JsonNode records) {
        List<Map<String, String>> failures = new ArrayList<>();
        for (JsonNode record : records) {
            String messageId = record.path("messageId").asText();
            try {
                for (IngestOutcome outcome : handleS3(mapper.readTree(record.path("body").asText()))) {
                    LOG.info("message {}: {} {} ({})", messageId, outcome.jobId(), outcome.result(), outcome.detail());
                }
            } catch (IOException | RuntimeException e) {
                LOG.error("message {} failed and will be redelivered", messageId, e);
                failures.add(Map.of("itemIdentifier", messageId));
            }
        }
        return Map.of("batchItemFailures", failures);
    }
}
