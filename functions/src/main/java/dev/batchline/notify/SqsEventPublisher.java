package dev.batchline.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

/** Publishes events as JSON message bodies on the events queue, the type also as a message attribute for filtering. */
public final class SqsEventPublisher implements EventPublisher {

    private static final int BATCH = 10;

    private final SqsClient sqs;
    private final String queueUrl;
    /**
     * Bodies are written in printable ASCII, everything else escaped: SQS refuses characters a
     * custom_id may hold (U+FFFE, U+FFFF), DEL upsets logs and terminals that show a body, and a
     * JSON reader reads the escapes back as the same text.
     */
    private final ObjectWriter writer;

    /** JSON's standard escapes, and DEL, the one ASCII control character JSON lets through. */
    private static final class PrintableAscii extends CharacterEscapes {
        private final int[] escapes = standardAsciiEscapesForJSON();

        PrintableAscii() {
            escapes[0x7F] = ESCAPE_STANDARD;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return escapes;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            return null;
        }
    }

    public SqsEventPublisher(SqsClient sqs, String queueUrl, ObjectMapper mapper) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
        this.writer = mapper.writer().with(JsonWriteFeature.ESCAPE_NON_ASCII).with(new PrintableAscii());
    }

    private String body(CloudEvent event) {
        try {
            return writer.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("event " + event.type() + " cannot be written as JSON", e);
        }
    }

    @Override
    public void publish(CloudEvent event) {
        String body = body(event);
        sqs.sendMessage(r -> r.queueUrl(queueUrl).messageBody(body).messageAttributes(typeAttribute(event)));
    }

    /** SendMessageBatch by tens; entries SQS reports as failed are sent again, then reported. */
    @Override
    public void publishAll(List<CloudEvent> events) {
        for (int from = 0; from < events.size(); from += BATCH) {
            List<SendMessageBatchRequestEntry> entries = new ArrayList<>();
            List<CloudEvent> slice = events.subList(from, Math.min(events.size(), from + BATCH));
            for (int i = 0; i < slice.size(); i++) {
                CloudEvent event = slice.get(i);
                entries.add(SendMessageBatchRequestEntry.builder().id(Integer.toString(i))
                        .messageBody(body(event)).messageAttributes(typeAttribute(event)).build());
            }
            for (int attempt = 1; !entries.isEmpty(); attempt++) {
                List<SendMessageBatchRequestEntry> pending = entries;
                List<String> failed = sqs.sendMessageBatch(r -> r.queueUrl(queueUrl).entries(pending)).failed()
                        .stream().map(f -> f.id()).toList();
                entries = pending.stream().filter(e -> failed.contains(e.id())).toList();
                if (!entries.isEmpty() && attempt == 3) {
                    throw new IllegalStateException(entries.size() + " event(s) could not be sent to " + queueUrl);
                }
            }
        }
    }

    private static Map<String, MessageAttributeValue> typeAttribute(CloudEvent event) {
        return Map.of("type", MessageAttributeValue.builder().dataType("String").stringValue(event.type()).build());
    }
}
