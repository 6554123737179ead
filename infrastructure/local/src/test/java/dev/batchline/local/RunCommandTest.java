package dev.batchline.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.batchline.operate.RecordFolder;
import dev.batchline.config.Json;
import dev.batchline.testing.CustomIds;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import sun.misc.Signal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code batchline run} end to end, as a user runs it: emulators, the real ASL, the local provider, {@code --out}. */
class RunCommandTest {

    private final ObjectMapper mapper = Json.mapper();

    @TempDir
    Path directory;

    /**
     * Every kind of id the validator accepts (the hand-picked hostile ones and a sample of the
     * property generator's, more than the copies that may wait to be indexed) ends as one record
     * under {@code --out}, none over the manifest, each file once even where a file system ignores
     * case, and the index names each id once.
     */
    @Test
    void run_withEveryKindOfAcceptedId_completesWithEachIdsRecordOnceUnderOut() throws Exception {
        Set<String> ids = new LinkedHashSet<>(CustomIds.HOSTILE);
        CustomIds.accepted().sampleStream().limit(1_200).forEach(ids::add);
        assertThat(ids).as("more ids than copies may wait to be indexed").hasSizeGreaterThan(512);
        Path file = directory.resolve("hostile-ids.jsonl");
        List<String> lines = new ArrayList<>();
        for (String id : ids) {
            ObjectNode request = mapper.createObjectNode().put("custom_id", id).put("method", "POST")
                    .put("url", "/v1/chat/completions");
            request.putObject("body").put("model", "m").putArray("messages").addObject().put("role", "user")
                    .put("content", "hello");
            lines.add(mapper.writeValueAsString(request));
        }
        Files.write(file, lines);
        System.setProperty("batchline.home", "../..");

        Cli.Result run = Cli.run("run", file.toString(), "--out", directory.resolve("out").toString(), "--records");

        assertThat(run.exit()).as(run.all()).isZero();
        Path jobFolder;
        try (Stream<Path> jobs = Files.list(directory.resolve("out"))) {
            jobFolder = jobs.findFirst().orElseThrow();
        }
        JsonNode manifest = mapper.readTree(jobFolder.resolve("manifest.json").toFile());
        assertThat(manifest.path("status").asText()).isEqualTo("completed");
        assertThat(manifest.path("accountedFor").asBoolean()).isTrue();
        assertThat(manifest.path("counts").path("succeeded").asLong()).isEqualTo(ids.size());
        List<String> indexed = new ArrayList<>();
        Set<String> filesFolded = new java.util.HashSet<>();
        for (String line : Files.readAllLines(jobFolder.resolve(RecordFolder.INDEX))) {
            JsonNode entry = mapper.readTree(line);
            Path record = jobFolder.resolve(entry.path("file").asText());
            assertThat(record).isRegularFile();
            assertThat(record.getFileName().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length)
                    .isLessThanOrEqualTo(255);
            assertThat(mapper.readTree(record.toFile()).path("custom_id").asText())
                    .isEqualTo(entry.path("custom_id").asText());
            assertThat(filesFolded.add(entry.path("file").asText().toLowerCase(Locale.ROOT))).isTrue();
            indexed.add(entry.path("custom_id").asText());
        }
        assertThat(indexed).containsExactlyInAnyOrderElementsOf(ids);
        List<String> merged = new ArrayList<>();
        for (String line : Files.readAllLines(jobFolder.resolve("output.jsonl"))) {
            merged.add(mapper.readTree(line).path("custom_id").asText());
        }
        assertThat(merged).containsExactlyInAnyOrderElementsOf(ids);
        try (Stream<Path> records = Files.walk(jobFolder.resolve("results/records"))) {
            assertThat(records.filter(Files::isRegularFile).count()).isEqualTo(ids.size());
        }
        assertThat(run.out()).contains("completed");
    }

    /**
     * Ctrl-C while the run follows its job cancels it as batchline cancel does: the batch is
     * cancelled, what finished is kept, every request is accounted for, and the run says so (exit 1).
     */
    @Test
    void interrupt_duringARun_cancelsTheJobsBatch_keepsWhatFinished_andAccountsForEveryRequest() throws Exception {
        StringWriter progress = new StringWriter();
        CompletableFuture<Cli.Result> run = slowRun(progress, 4);

        Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
        while (!progress.toString().contains("in_progress") && !run.isDone() && Instant.now().isBefore(deadline)) {
            Thread.sleep(100);
        }
        assertThat(progress.toString()).as("the run reached the provider").contains("in_progress");
        Signal.raise(new Signal("INT"));
        Cli.Result result = run.get(3, TimeUnit.MINUTES);

        assertThat(result.err()).contains("cancelling job");
        assertCancelledWithEveryRequestOnce(result);
    }

    /** A run out of time cancels its job as Ctrl-C does, so no batch runs on at the provider unwatched. */
    @Test
    void timeout_duringARun_cancelsTheJobsBatch_keepsWhatFinished_andAccountsForEveryRequest() throws Exception {
        Cli.Result result = slowRun(new StringWriter(), 2, "--timeout-minutes", "1").get(4, TimeUnit.MINUTES);

        assertThat(result.err()).contains("out of time after 1 minutes: cancelling job");
        assertCancelledWithEveryRequestOnce(result);
    }

    /** A run of 200 requests that the local provider completes at {@code requestsPerSecond}. */
    private CompletableFuture<Cli.Result> slowRun(StringWriter progress, int requestsPerSecond, String... options)
            throws IOException {
        Path config = directory.resolve("slow.json");
        Files.writeString(config, "{\"timing\": {\"validatingMillis\": 50, \"requestsPerSecond\": " + requestsPerSecond
                + ", \"finalizingMillis\": 50, \"cancellingMillis\": 50}}");
        Path file = directory.resolve("long.jsonl");
        Files.write(file, IntStream.rangeClosed(1, 200).mapToObj(i -> "{\"custom_id\":\"q-" + i + "\",\"method\":"
                + "\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{\"model\":\"m\",\"messages\":[{\"role\":"
                + "\"user\",\"content\":\"q\"}]}}").toList());
        System.setProperty("batchline.home", "../..");
        List<String> args = new ArrayList<>(List.of("run", file.toString(), "--provider-config", config.toString(),
                "--out", directory.resolve("out").toString()));
        args.addAll(List.of(options));
        return CompletableFuture.supplyAsync(() -> Cli.run(progress, args.toArray(String[]::new)));
    }

    /** The job ended cancelled (exit 1): its batch cancelled, what finished kept, each of the 200 requests once. */
    private void assertCancelledWithEveryRequestOnce(Cli.Result result) throws IOException {
        assertThat(result.exit()).as(result.all()).isEqualTo(ValidateCommand.INVALID);
        Path jobFolder;
        try (Stream<Path> jobs = Files.list(directory.resolve("out"))) {
            jobFolder = jobs.findFirst().orElseThrow();
        }
        JsonNode manifest = mapper.readTree(jobFolder.resolve("manifest.json").toFile());
        assertThat(manifest.path("parts").get(0).path("providerStatus").asText()).isEqualTo("cancelled");
        assertThat(manifest.path("counts").path("cancelled").asLong()).isPositive();
        assertThat(manifest.path("accountedFor").asBoolean()).isTrue();
        List<String> ids = new ArrayList<>();
        for (String merged : List.of("output.jsonl", "errors.jsonl")) {
            for (String line : Files.readAllLines(jobFolder.resolve(merged))) {
                ids.add(mapper.readTree(line).path("custom_id").asText());
            }
        }
        assertThat(ids).hasSize(200).doesNotHaveDuplicates();
    }
}
