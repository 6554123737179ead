package dev.batchline.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchline.config.Json;
import java.util.Map;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/** Publishes events as JSON message bodies on the events queue, the type also as a message attribute for filtering. */
public final class SqsEventPublisher implements EventPublisher {

    private final SqsClient sqs;
    private final String queueUrl;
    private final ObjectMapper mapper;

    public SqsEventPublisher(SqsClient sqs, String queueUrl, ObjectMapper mapper) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
        this.mapper = mapper;
    }

    @Override
    public void publish(CloudEvent event) {
        String body = Json.write(mapper, event);
        sqs.sendMessage(r -> r.queueUrl(queueUrl).messageBody(body).messageAttributes(Map.of(
                "type", MessageAttributeValue.builder().dataType("String").stringValue(event.type()).build())));
    }
}
