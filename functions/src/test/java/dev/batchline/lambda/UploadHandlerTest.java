package dev.batchline.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.batchline.config.Json;
import dev.batchline.ingest.IngestService;
import dev.batchline.ingest.IngestSettings;
import dev.batchline.ingest.ValidatorSettings;
import dev.batchline.job.DynamoJobStore;
import dev.batchline.job.JobId;
import dev.batchline.job.JobStatus;
import dev.batchline.notify.SqsEventPublisher;
import dev.batchline.provider.ProviderProfiles;
import dev.batchline.testing.AwsIntegration;
import dev.batchline.testing.RecordingWorkflow;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;

/** The upload handler fed the sample events of events/, against the emulators. */
@AwsIntegration
class UploadHandlerTest {

    private static final String KEY = "inbox/openai/support tickets.jsonl";

    private final ObjectMapper mapper = Json.mapper();
    private final S3Client s3;
    private final DynamoJobStore jobs;
    private final RecordingWorkflow workflow = new RecordingWorkflow();
    private final UploadHandler handler;
    private final String bucket = "batchline-" + UUID.randomUUID().toString().substring(0, 8);
    private String etag;

    UploadHandlerTest(S3Client s3, SqsClient sqs, DynamoDbClient dynamo) {
        this.s3 = s3;
        String table = "jobs-" + bucket;
        dynamo.createTable(DynamoJobStore.createTableRequest(table));
        this.jobs = new DynamoJobStore(dynamo, table);
        String queueUrl = sqs.createQueue(r -> r.queueName("events-" + bucket)).queueUrl();
        this.handler = new UploadHandler(new IngestService(s3, jobs, new SqsEventPublisher(sqs, queueUrl, mapper),
                workflow, ProviderProfiles.presets(), new IngestSettings("openai", ValidatorSettings.DEFAULTS,
                        5 * 1024 * 1024, Duration.ofMinutes(16)), mapper, Clock.systemUTC()), mapper);
    }

    @BeforeEach
    void uploadTheSampleFile() throws IOException {
        s3.createBucket(r -> r.bucket(bucket));
        try (InputStream sample = resource("events/requests/chat.jsonl")) {
            byte[] bytes = sample.readAllBytes();
            etag = s3.putObject(r -> r.bucket(bucket).key(KEY), RequestBody.fromBytes(bytes)).eTag()
                    .replace("\"", "");
        }
    }

    private static InputStream resource(String name) {
        return UploadHandlerTest.class.getClassLoader().getResourceAsStream(name);
    }

    /** The sample S3 notification, pointed at this test's bucket and object. */
    private ObjectNode s3Event() throws IOException {
        ObjectNode event = (ObjectNode) mapper.readTree(resource("events/s3-put.json"));
        ObjectNode s3Entity = (ObjectNode) event.path("Records").get(0).path("s3");
        ((ObjectNode) s3Entity.path("bucket")).put("name", bucket);
        ((ObjectNode) s3Entity.path("object")).put("eTag", etag);
        return event;
    }

    private ObjectNode sqsEvent(String... bodies) throws IOException {
        ObjectNode event = (ObjectNode) mapper.readTree(resource("events/sqs-s3-put.json"));
        ArrayNode records = (ArrayNode) event.path("Records");
        ObjectNode template = (ObjectNode) records.get(0);
        records.removeAll();
        for (int i = 0; i < bodies.length; i++) {
            records.add(template.deepCopy().put("messageId", "message-" + i).put("body", bodies[i]));
        }
        return event;
    }

    private JsonNode invoke(JsonNode event) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(mapper.writeValueAsBytes(event)), out, null);
        return mapper.readTree(out.toByteArray());
    }

    @Test
    void handleRequest_whenSqsWrapsAnS3Put_startsTheJobOfTheDecodedKey() throws IOException {
        JsonNode response = invoke(sqsEvent(mapper.writeValueAsString(s3Event())));

        assertThat(response.path("batchItemFailures")).isEmpty();
        String jobId = JobId.of(bucket, KEY, etag);
        assertThat(jobs.find(jobId).orElseThrow().status()).isEqualTo(JobStatus.RUNNING);
        assertThat(workflow.executions().get(jobId).parts()).containsExactly(1);
        assertThat(jobs.parts(jobId).get(0).requests()).isEqualTo(8);
    }

    @Test
    void handleRequest_whenGivenADirectS3Event_answersWithTheOutcomes() throws IOException {
        JsonNode response = invoke(s3Event());

        assertThat(response.path("outcomes").get(0).path("result").asText()).isEqualTo("SUBMITTED");
        assertThat(response.path("outcomes").get(0).path("jobId").asText()).isEqualTo(JobId.of(bucket, KEY, etag));
    }

    @Test
    void handleRequest_whenOneMessageOfTheBatchIsBroken_reportsOnlyThatOne() throws IOException {
        JsonNode response = invoke(sqsEvent("not json at all", mapper.writeValueAsString(s3Event())));

        assertThat(response.path("batchItemFailures").findValuesAsText("itemIdentifier"))
                .containsExactly("message-0");
        assertThat(workflow.executions()).hasSize(1);
    }

    @Test
    void handleRequest_whenS3SendsItsTestEvent_doesNothing() throws IOException {
        String testEvent = "{\"Service\":\"Amazon S3\",\"Event\":\"s3:TestEvent\",\"Time\":\"2026-11-23T10:00:00Z\","
                + "\"Bucket\":\"" + bucket + "\",\"RequestId\":\"5582815E1AEA5ADF\",\"HostId\":\"8cLeGAmw098X5cv4Zkw\"}";

        JsonNode response = invoke(sqsEvent(testEvent));

        assertThat(response.path("batchItemFailures")).isEmpty();
        assertThat(workflow.startCalls()).isEmpty();
    }
}
