package dev.batchline.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchline.config.Json;
import dev.batchline.job.JobId;
import dev.batchline.operate.LocalStackState;
import dev.batchline.storage.S3Layout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The operating commands end to end against a local stack started as a user starts it
 * ({@code local start --detach}, a process of its own), each command run as the shell runs it.
 * Every finished job is checked against the promise: its merged files hold each request once.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class OperateEndToEndTest {

    private static final Pattern SUBMITTED = Pattern.compile("job (\\S+) submitted");
    private static final Duration CONDITION_BOUND = Duration.ofMinutes(2);

    private final ObjectMapper mapper = Json.mapper();

    @TempDir
    Path directory;

    private Path stack;
    private LocalStackState state;

    @BeforeAll
    static void checkout() {
        System.setProperty("batchline.home", "../..");
    }

    @AfterEach
    void stop() {
        if (stack != null) {
            Cli.Result stopped = Cli.run("local", "stop", "--local-dir", stack.toString());
            assertThat(stopped.exit()).as(stopped.all()).isZero();
            assertThat(LocalStackState.file(stack)).doesNotExist();
        }
    }

    @Test
    void walk_submitJobsStatusResults_anUploadByAnyS3Client_andACancelMidRun() throws Exception {
        start("{\"timing\": {\"validatingMillis\": 50, \"requestsPerSecond\": 4, \"finalizingMillis\": 50, "
                + "\"cancellingMillis\": 50}}");

        Path tickets = requests("tickets.jsonl", 8);
        Cli.Result submitted = cli("submit", tickets.toString(), "--wait");
        assertThat(submitted.exit()).as(submitted.all()).isZero();
        String ticketsJob = submittedJob(submitted);
        assertThat(submitted.out()).contains("job " + ticketsJob + "  completed");
        assertAccountedFor(ticketsJob, 8);
        JsonNode ticketsManifest = manifest(ticketsJob);
        // The local profile has no prices: the provider's cost says why; AWS's use is measured all the same.
        assertThat(ticketsManifest.path("cost").path("unpriced").asText()).contains("no entry for m");
        JsonNode aws = ticketsManifest.path("awsCostEstimate").path("items");
        assertThat(aws.get(0).path("item").asText()).isEqualTo("Lambda requests");
        assertThat(aws.get(0).path("quantity").asLong()).isGreaterThanOrEqualTo(4); // upload, submit, poll, finalize
        assertThat(aws.get(1).path("quantity").decimalValue()).isPositive();
        assertThat(aws.get(3).path("quantity").asLong()).isEqualTo(8 + 1); // a record event each, and the job's

        Cli.Result jobs = cli("jobs", "--json");
        assertThat(jobs.exit()).as(jobs.all()).isZero();
        JsonNode listed = mapper.readTree(jobs.out());
        assertThat(listed).hasSize(1);
        assertThat(listed.get(0).path("jobId").asText()).isEqualTo(ticketsJob);
        assertThat(listed.get(0).path("status").asText()).isEqualTo("completed");
        assertThat(listed.get(0).path("succeeded").asLong()).isEqualTo(8);

        Cli.Result status = cli("status", ticketsJob, "--json");
        JsonNode part = mapper.readTree(status.out()).path("parts").get(0);
        assertThat(part.path("batchStatus").asText()).isEqualTo("completed");
        assertThat(part.path("recordsWritten").asLong()).isEqualTo(8);
        assertThat(cli("status", ticketsJob).out()).contains("completed", "done 8/8");

        Path output = directory.resolve("tickets-output.jsonl");
        Cli.Result results = cli("results", ticketsJob, "--jsonl", output.toString());
        assertThat(results.exit()).as(results.all()).isZero();
        assertThat(customIds(output)).containsExactlyInAnyOrderElementsOf(customIds(tickets));

        // Any S3 client: the stack notices the new inbox object itself, as S3 would announce it on AWS.
        String key = S3Layout.inboxKey("local", "direct.jsonl");
        String etag = s3().putObject(r -> r.bucket(state.bucket()).key(key),
                RequestBody.fromFile(requests("direct.jsonl", 3))).eTag().replace("\"", "");
        String directJob = JobId.of(state.bucket(), key, etag);
        Cli.Result watched = cli("status", directJob, "--watch", "--interval-seconds", "1");
        assertThat(watched.exit()).as(watched.all()).isZero();
        assertAccountedFor(directJob, 3);

        Cli.Result long_ = cli("submit", requests("long.jsonl", 200).toString(), "--json");
        assertThat(long_.exit()).as(long_.all()).isZero();
        String longJob = mapper.readTree(long_.out()).path("jobId").asText();
        awaitPart(longJob, "in_progress");
        Cli.Result cancelled = cli("cancel", longJob);
        assertThat(cancelled.exit()).as(cancelled.all()).isZero();
        Cli.Result ended = cli("status", longJob, "--watch", "--interval-seconds", "1", "--json");
        assertThat(ended.exit()).as(ended.all()).isZero();
        assertThat(mapper.readTree(ended.out()).path("parts").get(0).path("batchStatus").asText())
                .isEqualTo("cancelled");
        JsonNode manifest = manifest(longJob);
        assertThat(manifest.path("counts").path("cancelled").asLong()).isPositive();
        assertThat(manifest.path("counts").path("succeeded").asLong() + manifest.path("counts").path("cancelled")
                .asLong()).isEqualTo(200);
        assertAccountedFor(longJob, 200);
        assertThat(cli("cancel", longJob).exit()).isEqualTo(ValidateCommand.INVALID);

        JsonNode completed = mapper.readTree(cli("jobs", "--status", "completed", "--json").out());
        assertThat(completed).extracting(job -> job.path("jobId").asText())
                .containsExactly(longJob, directJob, ticketsJob);
    }

    @Test
    void retry_afterAnExpiry_resubmitsOnlyWhatASecondTryMayChange_linkedBothWays_andDeleteRemovesTheJob()
            throws Exception {
        // Ten requests a second and a three-second window: of 40, at most 30 run before the batch expires.
        // The first request fails with the caller's own 400, which no retry changes.
        start("{\"timing\": {\"validatingMillis\": 50, \"requestsPerSecond\": 10, \"finalizingMillis\": 50, "
                + "\"cancellingMillis\": 50, \"expireAfterMillis\": 3000}, \"faults\": {\"failRequests\": "
                + "[{\"customIdPattern\": \"req-1\", \"statusCode\": 400, \"errorCode\": \"invalid_request\"}]}}");
        Cli.Result submitted = cli("submit", requests("forty.jsonl", 40).toString(), "--wait");
        assertThat(submitted.exit()).as(submitted.all()).isZero();
        String original = submittedJob(submitted);
        JsonNode counts = manifest(original).path("counts");
        assertThat(counts.path("expired").asLong()).isGreaterThanOrEqualTo(10);
        assertThat(counts.path("failed").asLong()).isEqualTo(1);
        assertAccountedFor(original, 40);
        Path errors = directory.resolve("original-errors.jsonl");
        assertThat(cli("results", original, "--errors", errors.toString()).exit()).isZero();
        List<String> expired = new ArrayList<>();
        for (String line : Files.readAllLines(errors)) {
            JsonNode record = mapper.readTree(line);
            if ("batch_expired".equals(record.path("error").path("code").asText())) {
                expired.add(record.path("custom_id").asText());
            }
        }

        Cli.Result retried = cli("retry", original, "--wait");
        assertThat(retried.exit()).as(retried.all()).isZero();
        String retry = submittedJob(retried);
        assertThat(retried.out()).contains("retries " + expired.size() + " request(s) of job " + original);
        assertAccountedFor(retry, expired.size());
        Path retryOutput = directory.resolve("retry-output.jsonl");
        assertThat(cli("results", retry, "--jsonl", retryOutput.toString()).exit()).isZero();
        assertThat(customIds(retryOutput)).containsExactlyInAnyOrderElementsOf(expired).doesNotContain("req-1");
        assertThat(manifest(original).path("retriedBy")).extracting(JsonNode::asText).containsExactly(retry);
        assertThat(manifest(retry).path("lineage").path("retryOf").asText()).isEqualTo(original);
        assertThat(manifest(retry).path("lineage").path("generation").asInt()).isEqualTo(1);
        Cli.Result again = cli("retry", original);
        assertThat(again.exit()).isEqualTo(ValidateCommand.INVALID);
        assertThat(again.err()).contains("retried already, by job " + retry);

        Cli.Result unconfirmed = cli("delete", original);
        assertThat(unconfirmed.exit()).isEqualTo(ValidateCommand.INVALID);
        assertThat(unconfirmed.err()).contains("--yes");
        assertThat(manifest(original)).isNotNull();
        Cli.Result deleted = cli("delete", original, "--yes");
        assertThat(deleted.exit()).as(deleted.all()).isZero();
        for (String prefix : List.of(S3Layout.stagingPrefix(original), S3Layout.RESULTS + original + "/",
                S3Layout.ERRORS + original + "/", S3Layout.PROVIDER + original + "/")) {
            assertThat(s3().listObjectsV2(r -> r.bucket(state.bucket()).prefix(prefix)).contents()).as(prefix)
                    .isEmpty();
        }
        assertThat(cli("status", original).exit()).isEqualTo(ValidateCommand.INVALID);
        assertThat(mapper.readTree(cli("jobs", "--json").out())).extracting(job -> job.path("jobId").asText())
                .containsExactly(retry);
    }

    private void start(String providerConfig) throws IOException {
        Path config = directory.resolve("provider.json");
        Files.writeString(config, providerConfig);
        Path folder = directory.resolve(LocalStackState.DIRECTORY);
        Cli.Result started = Cli.run("local", "start", "--detach", "--local-dir", folder.toString(),
                "--provider-config", config.toString());
        assertThat(started.exit()).as(started.all()).isZero();
        stack = folder;
        state = LocalStackState.readLive(stack, mapper).orElseThrow();
    }

    private Cli.Result cli(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--local", "--local-dir", stack.toString()));
        return Cli.run(all.toArray(String[]::new));
    }

    private S3Client s3() {
        return state.stack().clients().s3();
    }

    private Path requests(String name, int count) throws IOException {
        Path file = directory.resolve(name);
        String prefix = name.replace(".jsonl", "");
        Files.write(file, IntStream.rangeClosed(1, count).mapToObj(i -> "{\"custom_id\":\""
                + (prefix.equals("forty") ? "req-" + i : prefix + "-" + i) + "\",\"method\":\"POST\","
                + "\"url\":\"/v1/chat/completions\",\"body\":{\"model\":\"m\",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"q" + i + "\"}]}}").toList());
        return file;
    }

    private static String submittedJob(Cli.Result result) {
        Matcher matcher = SUBMITTED.matcher(result.out());
        assertThat(matcher.find()).as(result.all()).isTrue();
        return matcher.group(1);
    }

    private List<String> customIds(Path jsonl) throws IOException {
        List<String> ids = new ArrayList<>();
        for (String line : Files.readAllLines(jsonl)) {
            ids.add(mapper.readTree(line).path("custom_id").asText());
        }
        return ids;
    }

    private JsonNode manifest(String jobId) throws IOException {
        return mapper.readTree(s3().getObjectAsBytes(r -> r.bucket(state.bucket()).key(S3Layout.manifest(jobId)))
                .asByteArray());
    }

    /** The promise: each request once in the merged files, results and errors adding up to the manifest's. */
    private void assertAccountedFor(String jobId, int requests) throws IOException {
        Path folder = directory.resolve("copies");
        Cli.Result copied = cli("results", jobId, "--out", folder.toString());
        assertThat(copied.exit()).as(copied.all()).isZero();
        JsonNode manifest = mapper.readTree(folder.resolve(jobId).resolve("manifest.json").toFile());
        assertThat(manifest.path("accountedFor").asBoolean()).isTrue();
        assertThat(manifest.path("requests").asLong()).isEqualTo(requests);
        List<String> ids = new ArrayList<>(customIds(folder.resolve(jobId).resolve("output.jsonl")));
        long results = ids.size();
        ids.addAll(customIds(folder.resolve(jobId).resolve("errors.jsonl")));
        assertThat(ids).hasSize(requests);
        assertThat(new HashSet<>(ids)).hasSize(requests);
        assertThat(results).isEqualTo(manifest.path("counts").path("succeeded").asLong());
        assertThat(manifest.path("merged").path("resultLines").asLong()).isEqualTo(results);
        assertThat(manifest.path("merged").path("errorLines").asLong()).isEqualTo(requests - results);
    }

    /** Waits, up to a bound, for the job's first part to reach the provider status. */
    private void awaitPart(String jobId, String batchStatus) throws Exception {
        Instant deadline = Instant.now().plus(CONDITION_BOUND);
        Set<String> seen = new HashSet<>();
        while (Instant.now().isBefore(deadline)) {
            Cli.Result status = cli("status", jobId, "--json");
            if (status.exit() == 0) {
                String current = mapper.readTree(status.out()).path("parts").path(0).path("batchStatus").asText();
                seen.add(current);
                if (batchStatus.equals(current)) {
                    return;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("job " + jobId + "'s part never reached " + batchStatus + "; seen " + seen);
    }
}
