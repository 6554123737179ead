package dev.batchline.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.batchline.operate.RecordFolder;
import dev.batchline.config.Json;
import dev.batchline.testing.CustomIds;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code batchline run} end to end, as a user runs it: emulators, the real ASL, the local provider, {@code --out}. */
class RunCommandTest {

    private final ObjectMapper mapper = Json.mapper();
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @TempDir
    Path directory;

    /**
     * Every kind of id the validator accepts (the hand-picked hostile ones and a sample of the
     * property generator's) ends as one record under {@code --out}, none over the manifest, each
     * file once even where a file system ignores case, and the index names each id once.
     */
    @Test
    void run_withEveryKindOfAcceptedId_completesWithEachIdsRecordOnceUnderOut() throws Exception {
        Set<String> ids = new LinkedHashSet<>(CustomIds.HOSTILE);
        CustomIds.accepted().sampleStream().limit(60).forEach(ids::add);
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

        CommandLineRun run = run("run", file.toString(), "--out", directory.resolve("out").toString(), "--records");

        assertThat(run.exit()).as(run.err()).isZero();
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
        assertThat(out.toString()).contains("completed");
    }

    private record CommandLineRun(int exit, String err) {
    }

    private CommandLineRun run(String... args) {
        var commandLine = Batchline.commandLine();
        commandLine.setOut(new PrintWriter(out));
        commandLine.setErr(new PrintWriter(err));
        int exit = commandLine.execute(args);
        return new CommandLineRun(exit, err.toString() + out);
    }
}
