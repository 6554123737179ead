package dev.batchline.ingest;

import static dev.batchline.ingest.BatchFileValidatorTest.chat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchline.config.Json;
import dev.batchline.ids.Fingerprinter;
import dev.batchline.ids.PartIndex;
import dev.batchline.job.DynamoJobStore;
import dev.batchline.job.Lineage;
import dev.batchline.job.JobId;
import dev.batchline.job.JobRecord;
import dev.batchline.job.JobStatus;
import dev.batchline.job.SourceObject;
import dev.batchline.job.StagedPart;
import dev.batchline.notify.SqsEventPublisher;
import dev.batchline.provider.ProviderProfiles;
import dev.batchline.storage.S3Layout;
import dev.batchline.testing.AwsIntegration;
import dev.batchline.testing.RecordingWorkflow;
import dev.batchline.testing.TestQueues;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.sqs.SqsClient;

/** The ingest service against DynamoDB Local, ElasticMQ and S3Proxy. */
@AwsIntegration
class IngestServiceTest {

    private static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");
    private static final Duration LEASE = Duration.ofMinutes(16);
    private static final Duration RETENTION = Duration.ofDays(30);

    private final ObjectMapper mapper = Json.mapper();
    private final S3Client s3;
    private final SqsClient sqs;
    private final DynamoDbClient dynamo;
    private String bucket;
    private String table;
    private String queueUrl;
    private DynamoJobStore jobs;
    private RecordingWorkflow workflow;

    IngestServiceTest(S3Client s3, SqsClient sqs, DynamoDbClient dynamo) {
        this.s3 = s3;
        this.sqs = sqs;
        this.dynamo = dynamo;
    }

    @BeforeEach
    void createResources() {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        bucket = "batchline-" + suffix;
        table = "jobs-" + suffix;
        s3.createBucket(r -> r.bucket(bucket));
        dynamo.createTable(DynamoJobStore.createTableRequest(table));
        queueUrl = sqs.createQueue(r -> r.queueName("events-" + suffix)).queueUrl();
        jobs = new DynamoJobStore(dynamo, table, Clock.fixed(NOW, ZoneOffset.UTC), RETENTION);
        workflow = new RecordingWorkflow();
    }

    private IngestService service(Instant now, ProviderProfiles profiles) {
        return new IngestService(s3, jobs, new SqsEventPublisher(sqs, queueUrl, mapper), workflow, profiles,
                new IngestSettings("openai", ValidatorSettings.DEFAULTS, 5 * 1024 * 1024, LEASE), mapper,
                Clock.fixed(now, ZoneOffset.UTC));
    }

    private IngestService service() {
        return service(NOW, ProviderProfiles.presets());
    }

    private SourceObject upload(String key, String content) {
        String etag = s3.putObject(r -> r.bucket(bucket).key(key), RequestBody.fromString(content)).eTag();
        return new SourceObject(bucket, key, null, etag.replace("\"", ""), content.length());
    }

    private static String lines(List<String> lines) {
        return lines.stream().map(l -> l + "\n").collect(Collectors.joining());
    }

    private static List<String> requests(int count) {
        return IntStream.rangeClosed(1, count).mapToObj(i -> chat("req-" + i)).toList();
    }

    private String read(String key) {
        return s3.getObjectAsBytes(r -> r.bucket(bucket).key(key)).asUtf8String();
    }

    private List<String> keys(String prefix) {
        return s3.listObjectsV2(r -> r.bucket(bucket).prefix(prefix)).contents().stream().map(S3Object::key).toList();
    }

    @Test
    void ingest_whenFileIsValid_stagesItRecordsTheJobAndStartsOneExecution() {
        String content = lines(requests(3));
        SourceObject source = upload("inbox/tickets.jsonl", content);

        IngestOutcome outcome = service().ingest(source);

        String jobId = JobId.of(bucket, source.key(), source.version());
        assertThat(outcome).isEqualTo(new IngestOutcome(jobId, IngestOutcome.Result.SUBMITTED, "1 part(s)"));
        assertThat(read(S3Layout.stagedPart(jobId, 1))).isEqualTo(content);
        JobRecord job = jobs.find(jobId).orElseThrow();
        assertThat(job.status()).isEqualTo(JobStatus.RUNNING);
        assertThat(job.requests()).isEqualTo(3);
        assertThat(job.profile()).isEqualTo("openai");
        assertThat(job.model()).isEqualTo("gpt-4o-mini");
        assertThat(job.executionId()).endsWith(":" + jobId);
        assertThat(jobs.parts(jobId)).containsExactly(new StagedPart(1, S3Layout.stagedPart(jobId, 1),
                1, 3, content.length()));
        WorkflowInput input = workflow.executions().get(jobId);
        assertThat(input.parts()).containsExactly(1);
        assertThat(input.maxConcurrency()).isEqualTo(ProviderProfiles.OPENAI.maxConcurrentBatches());
        assertThat(TestQueues.drain(sqs, queueUrl)).isEmpty();
    }

    @Test
    void ingest_whenFileIsValid_recordsThatExpireAfterTheRetentionPeriod() {
        SourceObject source = upload("inbox/openai/kept.jsonl", lines(requests(2)));

        String jobId = service().ingest(source).jobId();

        List<Map<String, AttributeValue>> items = dynamo.query(r -> r.tableName(table)
                .keyConditionExpression("pk = :pk")
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS("JOB#" + jobId)))).items();
        assertThat(items).extracting(item -> item.get("sk").s()).containsExactly("JOB", "PART#00001");
        assertThat(items).extracting(item -> item.get(DynamoJobStore.TIME_TO_LIVE_ATTRIBUTE).n())
                .containsOnly(Long.toString(NOW.plus(RETENTION).getEpochSecond()));
    }

    @Test
    void ingest_ofARetryFile_recordsTheJobItRetries_andIgnoresMetadataNoRetryWrites() {
        String content = lines(requests(2));
        String etag = s3.putObject(r -> r.bucket(bucket).key("inbox/openai/retry.jsonl")
                .metadata(new Lineage("tickets-0123456789ab", 2).metadata()), RequestBody.fromString(content)).eTag();
        SourceObject retry = new SourceObject(bucket, "inbox/openai/retry.jsonl", null, etag.replace("\"", ""),
                content.length());
        String stray = s3.putObject(r -> r.bucket(bucket).key("inbox/openai/stray.jsonl")
                .metadata(Map.of(Lineage.RETRY_OF_METADATA, "../other", Lineage.GENERATION_METADATA, "99")),
                RequestBody.fromString(content)).eTag();
        SourceObject original = new SourceObject(bucket, "inbox/openai/stray.jsonl", null, stray.replace("\"", ""),
                content.length());

        JobRecord retried = jobs.find(service().ingest(retry).jobId()).orElseThrow();
        JobRecord plain = jobs.find(service().ingest(original).jobId()).orElseThrow();

        assertThat(retried.lineage()).isEqualTo(new Lineage("tickets-0123456789ab", 2));
        assertThat(plain.status()).isEqualTo(JobStatus.RUNNING);
        assertThat(plain.lineage()).isEqualTo(Lineage.ORIGINAL);
    }

    @Test
    void ingest_whenTheSameEventArrivesTwice_makesOneJobAndOneExecution() {
        SourceObject source = upload("inbox/openai/twice.jsonl", lines(requests(2)));

        IngestOutcome first = service().ingest(source);
        IngestOutcome second = service().ingest(source);

        assertThat(first.result()).isEqualTo(IngestOutcome.Result.SUBMITTED);
        assertThat(second.result()).isEqualTo(IngestOutcome.Result.DUPLICATE);
        assertThat(second.jobId()).isEqualTo(first.jobId());
        assertThat(workflow.startCalls()).containsExactly(first.jobId());
        assertThat(dynamo.scan(r -> r.tableName(table)).items())
                .filteredOn(item -> item.get("sk").s().equals("JOB")).hasSize(1);
    }

    @Test
    void ingest_whenTheSameKeyIsUploadedAgain_makesASecondJob() {
        SourceObject first = upload("inbox/again.jsonl", lines(requests(2)));
        String firstJob = service().ingest(first).jobId();
        SourceObject second = upload("inbox/again.jsonl", lines(requests(3)));
        String secondJob = service().ingest(second).jobId();

        assertThat(secondJob).isNotEqualTo(firstJob);
        assertThat(workflow.executions()).containsOnlyKeys(firstJob, secondJob);
    }

    @Test
    void ingest_whenFileIsInvalid_writesALineNumberedReportSendsAnEventAndStartsNothing() throws Exception {
        String content = lines(List.of(chat("a"), chat("a"), "{not json"));
        SourceObject source = upload("inbox/bad.jsonl", content);

        IngestOutcome outcome = service().ingest(source);

        String jobId = outcome.jobId();
        assertThat(outcome.result()).isEqualTo(IngestOutcome.Result.REJECTED);
        JsonNode report = mapper.readTree(read(S3Layout.rejectionReport(jobId)));
        assertThat(report.path("reason").asText()).isEqualTo("invalid_file");
        assertThat(report.path("validation").path("errorCount").asInt()).isEqualTo(2);
        assertThat(report.path("validation").path("errors").findValuesAsText("code"))
                .containsExactly("duplicate_custom_id", "invalid_json");
        assertThat(report.path("validation").path("errors").findValues("line")).extracting(JsonNode::asInt)
                .containsExactly(2, 3);
        assertThat(jobs.find(jobId).orElseThrow().status()).isEqualTo(JobStatus.REJECTED);
        assertThat(keys("staging/")).isEmpty();
        assertThat(workflow.startCalls()).isEmpty();
        List<String> events = TestQueues.drain(sqs, queueUrl);
        assertThat(events).hasSize(1);
        JsonNode event = mapper.readTree(events.get(0));
        assertThat(event.path("specversion").asText()).isEqualTo("1.0");
        assertThat(event.path("type").asText()).isEqualTo("batchline.job.rejected");
        assertThat(event.path("id").asText()).isEqualTo(jobId + "/job.rejected");
        assertThat(event.path("data").path("reportKey").asText()).isEqualTo(S3Layout.rejectionReport(jobId));
        assertThat(event.path("data").path("errorCount").asInt()).isEqualTo(2);
    }

    @Test
    void ingest_whenFileIsOverTheBatchLimits_stagesSeveralPartsThatFit() {
        ProviderProfiles fivePerBatch = ProviderProfiles.withOverrides(
                "{\"openai\": {\"maxRequestsPerBatch\": 5}}", mapper);
        List<String> requests = requests(12);
        SourceObject source = upload("inbox/openai/big.jsonl", lines(requests));

        IngestOutcome outcome = service(NOW, fivePerBatch).ingest(source);

        String prefix = S3Layout.stagingPrefix(outcome.jobId());
        List<String> staged = new ArrayList<>();
        for (int part = 1; part <= 3; part++) {
            staged.addAll(List.of(S3Layout.stagedPart(outcome.jobId(), part), S3Layout.partIds(outcome.jobId(), part),
                    S3Layout.partIndex(outcome.jobId(), part)));
        }
        assertThat(keys(prefix)).containsExactlyInAnyOrderElementsOf(staged);
        assertThat(read(prefix + "part-00002.jsonl")).isEqualTo(lines(requests.subList(5, 10)));
        assertThat(read(S3Layout.partIds(outcome.jobId(), 2))).isEqualTo(IntStream.rangeClosed(6, 10)
                .mapToObj(i -> "\"req-" + i + "\"\n").collect(Collectors.joining()));
        PartIndex index = PartIndex.open((offset, length) -> s3.getObjectAsBytes(r -> r.bucket(bucket)
                .key(S3Layout.partIndex(outcome.jobId(), 3)).range("bytes=" + offset + "-" + (offset + length - 1)))
                .asByteArray());
        Fingerprinter fingerprint = new Fingerprinter();
        fingerprint.hash("req-12");
        assertThat(index.size()).isEqualTo(2);
        assertThat(index.lineOf(fingerprint.first(), fingerprint.second())).isEqualTo(1);
        assertThat(jobs.parts(outcome.jobId())).extracting(StagedPart::requests).containsExactly(5, 5, 2);
        assertThat(workflow.executions().get(outcome.jobId()).parts()).hasSize(3);
    }

    @Test
    void ingest_whenAPartIsLargerThanOneUploadPart_writesItAsAMultipartUpload() {
        String padding = "x".repeat(2000);
        List<String> requests = IntStream.rangeClosed(1, 6000)
                .mapToObj(i -> chat("big-" + i).replace("\"hi\"", "\"" + padding + "\"")).toList();
        String content = lines(requests);
        SourceObject source = upload("inbox/large.jsonl", content);

        IngestOutcome outcome = service().ingest(source);

        assertThat(content.length()).isGreaterThan(2 * 5 * 1024 * 1024);
        assertThat(read(S3Layout.stagedPart(outcome.jobId(), 1))).isEqualTo(content);
    }

    @Test
    void ingest_whenProfileFolderIsUnknown_rejectsWithoutReadingTheFile() throws Exception {
        SourceObject source = upload("inbox/opanai/typo.jsonl", lines(requests(1)));

        IngestOutcome outcome = service().ingest(source);

        assertThat(outcome.result()).isEqualTo(IngestOutcome.Result.REJECTED);
        JsonNode report = mapper.readTree(read(S3Layout.rejectionReport(outcome.jobId())));
        assertThat(report.path("reason").asText()).isEqualTo("unknown_profile");
        assertThat(report.path("message").asText()).contains("opanai").contains("openai");
        assertThat(TestQueues.drain(sqs, queueUrl)).hasSize(1);
    }

    @Test
    void ingest_overTheProfilesSpendingLimits_rejectsSayingByHowMuch_andStartsNothing() throws Exception {
        ProviderProfiles guarded = ProviderProfiles.withOverrides("{\"openai\": {\"spending\": {\"maxRequestsPerJob\": 2}},"
                + " \"capped\": {\"extends\": \"openai\", \"spending\": {\"prices\": {\"gpt-4o-mini\": "
                + "{\"input\": 0.075, \"output\": 0.30}}, \"maxEstimatedCostPerJob\": 0.0001}}}", mapper);
        SourceObject many = upload("inbox/openai/many.jsonl", lines(requests(3)));
        SourceObject costly = upload("inbox/capped/costly.jsonl", lines(requests(3)));

        IngestOutcome tooMany = service(NOW, guarded).ingest(many);
        IngestOutcome tooCostly = service(NOW, guarded).ingest(costly);

        for (IngestOutcome outcome : List.of(tooMany, tooCostly)) {
            assertThat(outcome.result()).isEqualTo(IngestOutcome.Result.REJECTED);
            JsonNode report = mapper.readTree(read(S3Layout.rejectionReport(outcome.jobId())));
            assertThat(report.path("reason").asText()).isEqualTo(RejectionReport.OVER_SPENDING_LIMIT);
            assertThat(jobs.find(outcome.jobId()).orElseThrow().status()).isEqualTo(JobStatus.REJECTED);
        }
        assertThat(mapper.readTree(read(S3Layout.rejectionReport(tooMany.jobId()))).path("message").asText())
                .isEqualTo("the file has 3 requests, over the profile's maxRequestsPerJob 2 by 1");
        assertThat(mapper.readTree(read(S3Layout.rejectionReport(tooCostly.jobId()))).path("message").asText())
                .contains("over maxEstimatedCostPerJob 0.0001 USD by").contains("3 without a cap");
        assertThat(workflow.startCalls()).isEmpty();
    }

    @Test
    void ingest_whenKeyIsOutsideTheInbox_ignoresIt() {
        SourceObject source = upload("results/x/manifest.jsonl", lines(requests(1)));

        IngestOutcome outcome = service().ingest(source);

        assertThat(outcome.result()).isEqualTo(IngestOutcome.Result.IGNORED);
        assertThat(dynamo.scan(r -> r.tableName(table)).items()).isEmpty();
    }

    @Test
    void ingest_whenObjectWasReplacedSinceTheEvent_rejectsTheStaleEventOnly() throws Exception {
        SourceObject stale = upload("inbox/replaced.jsonl", lines(requests(1)));
        upload("inbox/replaced.jsonl", lines(requests(2)));

        IngestOutcome outcome = service().ingest(stale);

        assertThat(outcome.result()).isEqualTo(IngestOutcome.Result.REJECTED);
        assertThat(mapper.readTree(read(S3Layout.rejectionReport(outcome.jobId()))).path("reason").asText())
                .isEqualTo("source_unavailable");
    }

    @Test
    void ingest_whenAnEarlierReaderStalled_takesTheJobOverOnlyAfterItsLease() {
        SourceObject source = upload("inbox/stalled.jsonl", lines(requests(2)));
        String jobId = JobId.of(bucket, source.key(), source.version());
        jobs.claim(JobRecord.validating(jobId, "openai", source, NOW, NOW.plus(LEASE)), NOW);

        IngestOutcome whileHeld = service(NOW.plus(LEASE).minusSeconds(1), ProviderProfiles.presets())
                .ingest(source);
        IngestOutcome afterLease = service(NOW.plus(LEASE).plusSeconds(1), ProviderProfiles.presets())
                .ingest(source);

        assertThat(whileHeld.result()).isEqualTo(IngestOutcome.Result.DUPLICATE);
        assertThat(afterLease.result()).isEqualTo(IngestOutcome.Result.SUBMITTED);
        assertThat(workflow.startCalls()).containsExactly(jobId);
    }

    @Test
    void ingest_whenACrashCameBetweenStagingAndStarting_aRedeliveryStartsTheWorkflow() {
        SourceObject source = upload("inbox/crashed.jsonl", lines(requests(2)));
        String jobId = JobId.of(bucket, source.key(), source.version());
        jobs.claim(JobRecord.validating(jobId, "openai", source, NOW, NOW.plus(LEASE)), NOW);
        jobs.saveParts(jobId, List.of(new StagedPart(1, S3Layout.stagedPart(jobId, 1), 1, 2, 10)));
        jobs.markSubmitting(jobId, 2, 1, "/v1/chat/completions", "gpt-4o-mini",
                Lineage.ORIGINAL, NOW);

        IngestOutcome outcome = service().ingest(source);

        assertThat(outcome.result()).isEqualTo(IngestOutcome.Result.SUBMITTED);
        assertThat(workflow.executions().get(jobId).parts()).hasSize(1);
        assertThat(jobs.find(jobId).orElseThrow().status()).isEqualTo(JobStatus.RUNNING);
    }
}
