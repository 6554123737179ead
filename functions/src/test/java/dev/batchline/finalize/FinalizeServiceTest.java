package dev.batchline.finalize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchline.config.Json;
import dev.batchline.ids.Fingerprinter;
import dev.batchline.ingest.PartStore;
import dev.batchline.ingest.S3PartStore;
import dev.batchline.job.DynamoJobStore;
import dev.batchline.job.Lineage;
import dev.batchline.job.JobRecord;
import dev.batchline.job.FinalizeLeaseHeldException;
import dev.batchline.job.PartOutcome;
import dev.batchline.job.PartProgress;
import dev.batchline.job.SourceObject;
import dev.batchline.job.StagedPart;
import dev.batchline.notify.CloudEvent;
import dev.batchline.notify.EventPublisher;
import dev.batchline.provider.ProviderClients;
import dev.batchline.provider.ProviderProfiles;
import dev.batchline.storage.S3Layout;
import dev.batchline.testing.AwsIntegration;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/** FinalizePart on a staged part and a provider output in S3, the provider itself not needed. */
@AwsIntegration
class FinalizeServiceTest {

    private final ObjectMapper mapper = Json.mapper();
    private final S3Client s3;
    private final DynamoDbClient dynamo;
    private final String bucket = "finalize-" + UUID.randomUUID();
    private final List<CloudEvent> events = new CopyOnWriteArrayList<>();
    private final ExecutorService writers = Executors.newFixedThreadPool(4);
    private DynamoJobStore jobs;

    FinalizeServiceTest(S3Client s3, DynamoDbClient dynamo) {
        this.s3 = s3;
        this.dynamo = dynamo;
    }

    @BeforeEach
    void createStores() {
        s3.createBucket(r -> r.bucket(bucket));
        dynamo.createTable(DynamoJobStore.createTableRequest(bucket));
        jobs = new DynamoJobStore(dynamo, bucket);
    }

    @AfterEach
    void stopWriters() {
        writers.shutdownNow();
    }

    /** A part of the given ids, its batch completed with {@code output} as the provider's output file. */
    private String stage(List<String> ids, List<String> output) throws IOException {
        String jobId = "job-" + UUID.randomUUID().toString().substring(0, 8);
        PartStore.PartOutput part = new S3PartStore(s3, bucket, jobId, 5 * 1024 * 1024).open(1);
        Fingerprinter fingerprint = new Fingerprinter();
        for (String id : ids) {
            part.stream().write(("{\"custom_id\":\"" + id + "\"}\n").getBytes(StandardCharsets.UTF_8));
            fingerprint.hash(id);
            part.addId(id.toCharArray(), id.length(), fingerprint.first(), fingerprint.second());
        }
        String key = part.commit();
        Instant now = Instant.now();
        jobs.claim(JobRecord.validating(jobId, "openai", new SourceObject(bucket, "inbox/f.jsonl", null, "e", 1), now,
                now.plusSeconds(60)), now);
        jobs.saveParts(jobId, List.of(new StagedPart(1, key, 1, ids.size(), 1)));
        jobs.markSubmitting(jobId, ids.size(), 1, "/v1/chat/completions", "m",
                Lineage.ORIGINAL, now);
        jobs.recordBatch(jobId, 1, "batch_test", now);
        s3.putObject(r -> r.bucket(bucket).key(S3Layout.providerBatch(jobId, 1)),
                RequestBody.fromString("{\"id\":\"batch_test\",\"status\":\"completed\"}"));
        s3.putObject(r -> r.bucket(bucket).key(S3Layout.providerOutput(jobId, 1)),
                RequestBody.fromString(String.join("\n", output) + "\n"));
        jobs.startFinalize(jobId, 1);
        return jobId;
    }

    private static String answer(String customId) {
        return "{\"id\":\"r\",\"custom_id\":\"" + customId + "\",\"response\":{\"status_code\":200,\"body\":{"
                + "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2,\"total_tokens\":5}}},\"error\":null}";
    }

    private FinalizeService finalizer(int sliceRecords) {
        return new FinalizeService(s3, jobs, new ProviderClients(ProviderProfiles.presets(), p -> {
            throw new IllegalStateException("the provider's files are copied already");
        }), S3RecordSink.factory(s3, new S3RecordSink.Settings(writers, new Recording(), RecordEvents.ALL,
                        RecordOutputs.BOTH, mapper, Clock.systemUTC())),
                new FinalizeSettings(sliceRecords, 4, RecordEvents.ALL, RecordOutputs.BOTH, Duration.ZERO), mapper, Clock.systemUTC());
    }

    private PartOutcome finalizeAll(String jobId, int sliceRecords) {
        FinalizeService finalizer = finalizer(sliceRecords);
        PartProgress part = PartProgress.item(jobId, 1);
        for (int call = 0; call < 100 && !Boolean.FALSE.equals(part.moreWork()); call++) {
            part = finalizer.finalizePart(part, Instant.now().plusSeconds(60));
        }
        assertThat(part.moreWork()).isFalse();
        return jobs.part(jobId, 1).outcome();
    }

    private List<String> keys(String prefix) {
        List<String> keys = new ArrayList<>();
        s3.listObjectsV2Paginator(r -> r.bucket(bucket).prefix(prefix)).contents()
                .forEach((S3Object o) -> keys.add(o.key()));
        return keys;
    }

    private List<String> unmatchedLines(String jobId) {
        List<String> lines = new ArrayList<>();
        for (String key : keys(S3Layout.providerPrefix(jobId, 1) + "unmatched-")) {
            String content = s3.getObjectAsBytes(r -> r.bucket(bucket).key(key)).asUtf8String();
            lines.addAll(List.of(content.split("\n")));
        }
        return lines;
    }

    private final class Recording implements EventPublisher {
        @Override
        public void publish(CloudEvent event) {
            events.add(event);
        }

        @Override
        public void publishAll(List<CloudEvent> batch) {
            events.addAll(batch);
        }
    }

    @Test
    void providerLinesThatNameNoRequest_areKeptAsideAndCounted_andEveryRequestHasOneRecord() throws Exception {
        String twoIds = "{\"custom_id\":\"req-4\",\"custom_id\":\"req-5\",\"response\":{\"status_code\":200}}";
        List<String> output = List.of(answer("req-1"), "this is not JSON", "{\"id\":\"r\",\"response\":null}",
                answer("req-9"), answer("req-2"), answer("req-1"), "[1, 2, 3]", twoIds, answer("req-3"));
        String jobId = stage(List.of("req-1", "req-2", "req-3", "req-4", "req-5"), output);

        PartOutcome outcome = finalizeAll(jobId, 2);

        assertThat(keys(S3Layout.recordsPrefix(jobId, true))).containsExactlyInAnyOrder(
                S3Layout.record(jobId, true, "req-1"), S3Layout.record(jobId, true, "req-2"),
                S3Layout.record(jobId, true, "req-3"));
        assertThat(keys(S3Layout.recordsPrefix(jobId, false))).containsExactlyInAnyOrder(
                S3Layout.record(jobId, false, "req-4"), S3Layout.record(jobId, false, "req-5"));
        assertThat(outcome).isEqualTo(new PartOutcome(3, 0, 0, 0, 2, 9, 6, 15, 6));
        assertThat(unmatchedLines(jobId)).containsExactlyInAnyOrder("this is not JSON",
                "{\"id\":\"r\",\"response\":null}", answer("req-9"), answer("req-1"), "[1, 2, 3]", twoIds);
        assertThat(events).extracting(CloudEvent::id).doesNotHaveDuplicates().hasSize(5);
    }

    @Test
    void aPartWhoseOutputIsAllUnmatched_accountsForEveryRequestAsMissing() throws Exception {
        String jobId = stage(List.of("a", "b"), List.of("garbage", answer("zzz"), "{}"));

        PartOutcome outcome = finalizeAll(jobId, 1);

        assertThat(outcome.records()).isEqualTo(2);
        assertThat(outcome.missing()).isEqualTo(2);
        assertThat(outcome.unmatchedLines()).isEqualTo(3);
        assertThat(unmatchedLines(jobId)).hasSize(3);
        assertThat(keys(S3Layout.recordsPrefix(jobId, false))).hasSize(2);
    }

    @Test
    void aRunOfThePartStillHoldingItsLease_keepsAnotherFromWritingAnything_untilItsDeadline() throws Exception {
        String jobId = stage(List.of("a", "b"), List.of(answer("a"), answer("b")));
        Instant otherRunsDeadline = Instant.now().plusSeconds(600);
        jobs.takeFinalizeLease(jobId, 1, "other-run", otherRunsDeadline, Instant.now());

        assertThatThrownBy(() -> finalizer(10).finalizePart(PartProgress.item(jobId, 1), Instant.now().plusSeconds(60)))
                .isInstanceOf(FinalizeLeaseHeldException.class);

        assertThat(keys(S3Layout.recordsPrefix(jobId, true))).isEmpty();
        assertThat(jobs.part(jobId, 1).finalizeCursor().checkpoint()).isZero();
        jobs.releaseFinalizeLease(jobId, 1, "other-run");
        assertThat(finalizeAll(jobId, 10).succeeded()).isEqualTo(2);
    }
}
