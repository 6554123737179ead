package dev.batchline.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchline.config.Json;
import dev.batchline.job.DynamoJobStore;
import dev.batchline.job.SourceObject;
import dev.batchline.notify.SqsEventPublisher;
import dev.batchline.provider.ProviderProfiles;
import dev.batchline.storage.S3Layout;
import dev.batchline.testing.AwsIntegration;
import dev.batchline.testing.RecordingWorkflow;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Hostile uploads through the whole ingest path. This class runs in its own JVM with a small heap
 * (the {@code bounded-heap} surefire execution, {@code -Xmx} in the POM) that also holds the three
 * emulators: reading a 50 MB line whole (50 MB of bytes, 100 MB of chars) would end it with an
 * OutOfMemoryError.
 */
@Tag("bounded-heap")
@AwsIntegration
class HostileUploadTest {

    private static final String HEAD = "{\"custom_id\":\"h\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\","
            + "\"body\":{\"model\":\"gpt-4o-mini\",\"messages\":";

    private final ObjectMapper mapper = Json.mapper();
    private final S3Client s3;
    private final IngestService service;
    private final RecordingWorkflow workflow = new RecordingWorkflow();
    private final String bucket = "hostile-" + UUID.randomUUID().toString().substring(0, 8);

    @TempDir
    Path directory;

    HostileUploadTest(S3Client s3, SqsClient sqs, DynamoDbClient dynamo) {
        this.s3 = s3;
        s3.createBucket(r -> r.bucket(bucket));
        dynamo.createTable(DynamoJobStore.createTableRequest(bucket));
        String queueUrl = sqs.createQueue(r -> r.queueName(bucket)).queueUrl();
        service = new IngestService(s3, new DynamoJobStore(dynamo, bucket),
                new SqsEventPublisher(sqs, queueUrl, mapper), workflow, ProviderProfiles.presets(),
                new IngestSettings("openai", ValidatorSettings.DEFAULTS, 5 * 1024 * 1024, Duration.ofMinutes(16)),
                mapper, Clock.systemUTC());
    }

    private interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    private JsonNode ingestAndReadReport(String name, Content content) throws IOException {
        Path file = directory.resolve(name);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file))) {
            out.write((BatchFileValidatorTest.chat("fine") + "\n").getBytes(StandardCharsets.UTF_8));
            content.writeTo(out);
        }
        String key = "inbox/" + name;
        String etag = s3.putObject(r -> r.bucket(bucket).key(key), RequestBody.fromFile(file)).eTag();
        IngestOutcome outcome = service.ingest(new SourceObject(bucket, key, null, etag.replace("\"", ""),
                Files.size(file)));
        assertThat(outcome.result()).isEqualTo(IngestOutcome.Result.REJECTED);
        assertThat(workflow.startCalls()).isEmpty();
        return mapper.readTree(s3.getObjectAsBytes(r -> r.bucket(bucket).key(S3Layout.rejectionReport(outcome.jobId()))).asByteArray()).path("validation");
    }

    @Test
    void ingest_whenOneLineIs50Megabytes_rejectsItAsLineTooLarge() throws IOException {
        JsonNode report = ingestAndReadReport("huge-line.jsonl", out -> {
            out.write(HEAD.getBytes(StandardCharsets.UTF_8));
            out.write("[{\"role\":\"user\",\"content\":\"".getBytes(StandardCharsets.UTF_8));
            byte[] chunk = "x".repeat(1 << 20).getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < 50; i++) {
                out.write(chunk);
            }
            out.write("\"}]}}\n".getBytes(StandardCharsets.UTF_8));
            out.write((BatchFileValidatorTest.chat("after") + "\n").getBytes(StandardCharsets.UTF_8));
        });

        assertThat(report.path("errors").get(0).path("code").asText()).isEqualTo("line_too_large");
        assertThat(report.path("errors").get(0).path("line").asInt()).isEqualTo(2);
        assertThat(report.path("requests").asInt()).isEqualTo(3);
        assertThat(report.path("bytes").asLong()).isGreaterThan(50L << 20);
    }

    @Test
    void ingest_whenNestingIs10000Deep_rejectsItAsInvalidJson() throws IOException {
        JsonNode report = ingestAndReadReport("deep.jsonl", out -> out.write((HEAD + "[".repeat(10_000)
                + "]".repeat(10_000) + "}}\n").getBytes(StandardCharsets.UTF_8)));

        assertThat(report.path("errors").get(0).path("code").asText()).isEqualTo("invalid_json");
        assertThat(report.path("errors").get(0).path("line").asInt()).isEqualTo(2);
    }

    @Test
    void ingest_whenALineIsNotUtf8_rejectsItAsInvalidEncoding() throws IOException {
        JsonNode report = ingestAndReadReport("latin1.jsonl", out -> out.write(
                BatchFileValidatorTest.chat("caf\u00e9").getBytes(StandardCharsets.ISO_8859_1)));

        assertThat(report.path("errors").get(0).path("code").asText()).isEqualTo("invalid_encoding");
        assertThat(report.path("errors").get(0).path("line").asInt()).isEqualTo(2);
    }
}
