package dev.batchline.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchline.config.Json;
import dev.batchline.testing.CustomIds;
import dev.batchline.testing.AwsIntegration;
import dev.batchline.testing.TestQueues;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.SqsClient;

/** Record events against ElasticMQ, which refuses what SQS refuses in a message body. */
@AwsIntegration
class SqsEventPublisherTest {

    private final ObjectMapper mapper = Json.mapper();
    private final SqsClient sqs;

    SqsEventPublisherTest(SqsClient sqs) {
        this.sqs = sqs;
    }

    @Test
    void everyAcceptedCustomId_travelsInAnEventBody_andReadsBackTheSame() throws Exception {
        String queueUrl = sqs.createQueue(r -> r.queueName("events-" + UUID.randomUUID().toString().substring(0, 8)))
                .queueUrl();
        List<String> ids = new ArrayList<>(CustomIds.HOSTILE);
        ids.add("del\u007Fin-the-middle"); // JSON lets DEL through unescaped; a generated id found it
        CustomIds.accepted().sampleStream().limit(40).forEach(ids::add);
        List<CloudEvent> events = ids.stream().map(id -> CloudEvent.forRecord("job-1", "key", false,
                Instant.parse("2026-11-29T10:00:00Z"), id, "bucket", "errors/job-1/records/key.json", null,
                null, null, "part_failed")).toList();

        new SqsEventPublisher(sqs, queueUrl, mapper).publishAll(events);

        List<String> received = new ArrayList<>();
        for (String body : TestQueues.drain(sqs, queueUrl)) {
            assertThat(body).matches("[\\x20-\\x7E]*");
            JsonNode event = mapper.readTree(body);
            received.add(event.path("data").path("customId").asText());
        }
        assertThat(received).containsExactlyInAnyOrderElementsOf(ids);
    }
}
