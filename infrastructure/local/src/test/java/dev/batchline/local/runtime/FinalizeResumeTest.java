package dev.batchline.local.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchline.lambda.BatchlineConfig;
import dev.batchline.config.Json;
import dev.batchline.lambda.Services;
import dev.batchline.finalize.FinalizeService;
import dev.batchline.finalize.FinalizeSettings;
import dev.batchline.finalize.RecordEvents;
import dev.batchline.finalize.RecordOutputs;
import dev.batchline.finalize.S3RecordSink;
import dev.batchline.job.DynamoJobStore;
import dev.batchline.job.MergedSegment;
import dev.batchline.job.PartProgress;
import dev.batchline.job.PartRecord;
import dev.batchline.local.provider.LocalProviderServer;
import dev.batchline.notify.CloudEvent;
import dev.batchline.notify.EventPublisher;
import dev.batchline.provider.ApiKeyResolver;
import dev.batchline.provider.ProviderClients;
import dev.batchline.storage.S3Layout;
import dev.batchline.testing.EmulatorExtension;
import dev.batchline.testing.RecordingWorkflow;
import dev.batchline.notify.JobMetrics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * FinalizePart killed in the middle of a slice (records written, cursor not yet saved) and run
 * again: it resumes from the last saved cursor and every request still has exactly one record.
 */
@ExtendWith(EmulatorExtension.class)
class FinalizeResumeTest {

    private final ObjectMapper mapper = Json.mapper();

    /** Events that get through, and a crash on the chosen call. */
    private static final class CrashingEvents implements EventPublisher {
        final List<CloudEvent> sent = new ArrayList<>();
        int calls;
        int crashOnCall;

        @Override
        public void publish(CloudEvent event) {
            sent.add(event);
        }

        @Override
        public void publishAll(List<CloudEvent> events) {
            if (++calls == crashOnCall) {
                throw new IllegalStateException("simulated crash before the cursor was saved");
            }
            sent.addAll(events);
        }
    }

    @Test
    void finalizePart_whenKilledMidSliceAndRunAgain_writesEveryRecordOnce(S3Client s3,
            SqsClient sqs, DynamoDbClient dynamo) throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String bucket = "resume-" + suffix;
        s3.createBucket(r -> r.bucket(bucket));
        dynamo.createTable(DynamoJobStore.createTableRequest("jobs-" + suffix));
        String queue = sqs.createQueue(r -> r.queueName("events-" + suffix)).queueUrl();
        try (LocalProviderServer provider = LocalProviderServer.start(0, EndToEndSupport.fast(null), null,
                mapper, Clock.systemUTC())) {
            BatchlineConfig config = BatchlineConfig.fromEnvironment(Map.of("JOBS_TABLE_NAME", "jobs-" + suffix,
                    "EVENTS_QUEUE_URL", queue, "BATCHLINE_DEFAULT_PROFILE", "local", "BATCHLINE_PROFILES",
                    "{\"local\": {\"extends\": \"generic\", \"baseUrl\": \"" + provider.baseUrl() + "\"}}"), mapper);
            DynamoJobStore jobs = new DynamoJobStore(dynamo, "jobs-" + suffix);
            ApiKeyResolver keys = new ApiKeyResolver(() -> null, () -> null, name -> null, mapper, Clock.systemUTC(),
                    Duration.ofMinutes(1));
            RecordingWorkflow workflow = new RecordingWorkflow();
            Services services = new Services(config, s3, jobs, sqs, Services.providerFactory(s3, keys, mapper,
                    Clock.systemUTC()), () -> workflow, mapper, Clock.systemUTC(), JobMetrics.NONE);
            String content = IntStream.rangeClosed(1, 30).mapToObj(i -> "{\"custom_id\":\"req-" + i
                    + "\",\"method\":\"POST\",\"url\":\"/v1/embeddings\",\"body\":{\"model\":\"m\",\"input\":\"t" + i
                    + "\"}}\n").collect(Collectors.joining());
            String etag = s3.putObject(r -> r.bucket(bucket).key("inbox/local/resume.jsonl"),
                    RequestBody.fromString(content)).eTag().replace("\"", "");
            String jobId = services.ingest().ingest(new dev.batchline.job.SourceObject(bucket,
                    "inbox/local/resume.jsonl", null, etag, content.length())).jobId();
            assertThat(workflow.executions().get(jobId).parts()).containsExactly(1);
            PartProgress part = services.submit().submit(PartProgress.item(jobId, 1));
            for (int poll = 0; poll < 500 && !Boolean.TRUE.equals(part.terminal()); poll++) {
                Thread.sleep(10);
                part = services.poll().poll(part);
            }

            CrashingEvents events = new CrashingEvents();
            events.crashOnCall = 2;
            ProviderClients providers = new ProviderClients(config.profiles(), Services.providerFactory(s3, keys,
                    mapper, Clock.systemUTC()));
            ExecutorService pool = Executors.newFixedThreadPool(4);
            FinalizeService finalizer = new FinalizeService(s3, jobs, providers, S3RecordSink.factory(s3,
                    new S3RecordSink.Settings(pool, events, RecordEvents.ALL, RecordOutputs.BOTH, mapper,
                            Clock.systemUTC())), new FinalizeSettings(7, 4, RecordEvents.ALL, RecordOutputs.BOTH, Duration.ZERO),
                    mapper, Clock.systemUTC());
            Instant deadline = Instant.now().plusSeconds(60);
            PartProgress first = finalizer.finalizePart(part, deadline);
            PartProgress crashing = first;
            assertThatThrownBy(() -> finalizer.finalizePart(crashing, deadline)).hasMessageContaining("simulated");
            PartRecord afterCrash = jobs.part(jobId, 1);
            PartProgress progress = first;
            int calls = 0;
            while (Boolean.TRUE.equals(progress.moreWork()) && calls++ < 20) {
                progress = finalizer.finalizePart(progress, deadline);
            }

            assertThat(first.moreWork()).isTrue();
            assertThat(afterCrash.outcome().records()).isEqualTo(7);
            assertThat(jobs.part(jobId, 1).outcome().succeeded()).isEqualTo(30);
            List<String> records = new ArrayList<>();
            s3.listObjectsV2Paginator(r -> r.bucket(bucket).prefix(S3Layout.recordsPrefix(jobId, true))).contents()
                    .forEach(o -> records.add(o.key()));
            assertThat(records).hasSize(30);
            assertThat(events.sent).extracting(CloudEvent::id).doesNotHaveDuplicates().hasSize(30);
            // The merged output holds what the checkpoints committed: the crashed slice's segment is not listed.
            List<String> mergedIds = new ArrayList<>();
            for (MergedSegment segment : jobs.part(jobId, 1).segments()) {
                String lines = s3.getObjectAsBytes(r -> r.bucket(bucket).key(segment.key())).asUtf8String();
                for (String line : lines.split("\n")) {
                    mergedIds.add(Json.mapper().readTree(line).path("custom_id").asText());
                }
            }
            assertThat(mergedIds).doesNotHaveDuplicates().hasSize(30);
        }
    }
}
