package dev.batchline.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ValidateCommandTest {

    private static final Path SAMPLES = Path.of("../../events/requests");

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @TempDir
    Path directory;

    private int run(String... args) {
        CommandLine commandLine = Batchline.commandLine();
        commandLine.setOut(new PrintWriter(out));
        commandLine.setErr(new PrintWriter(err));
        return commandLine.execute(args);
    }

    /** Plain arguments skip the command-line model and get what picocli's reading of them gives. */
    @Test
    void plainInvocation_answersAsPicocliDoes() {
        String valid = SAMPLES.resolve("chat.jsonl").toString();
        String invalid = SAMPLES.resolve("invalid.jsonl").toString();
        List<String[]> plain = List.of(new String[] {"validate", valid}, new String[] {"validate", "--json", invalid},
                new String[] {"validate", invalid, "--profile", "nebius"},
                new String[] {"validate", "--profile=generic", "--json", valid},
                new String[] {"validate", "--profile", "unknown", valid},
                new String[] {"validate", directory.resolve("absent.jsonl").toString()});
        for (String[] args : plain) {
            assertThat(ValidateCommand.plainInvocation(args)).as(String.join(" ", args)).isPresent();
            StringWriter plainOut = new StringWriter();
            StringWriter plainErr = new StringWriter();
            int plainExit = Batchline.execute(args, new PrintWriter(plainOut, true), new PrintWriter(plainErr, true));

            int exit = run(args);

            assertThat(plainExit + "\n" + plainOut + plainErr).as(String.join(" ", args))
                    .isEqualTo(exit + "\n" + out + err);
            out.getBuffer().setLength(0);
            err.getBuffer().setLength(0);
        }
    }

    /** Whatever else is asked of picocli: help, repeated or unknown options, argument files, a missing value. */
    @Test
    void plainInvocation_leavesEverythingElseToPicocli() {
        String file = SAMPLES.resolve("chat.jsonl").toString();
        List<String[]> others = List.of(new String[] {"validate"}, new String[] {"validate", "--help"},
                new String[] {"validate", "-h", file}, new String[] {"validate", file, file},
                new String[] {"validate", "--json", "--json", file}, new String[] {"validate", file, "--profile"},
                new String[] {"validate", "--profile", "--json", file},
                new String[] {"validate", "--profile", "a", "--profile", "b", file},
                new String[] {"validate", "--", file}, new String[] {"validate", "@arguments.txt"},
                new String[] {"validate", "--profile=", file}, new String[] {"validate", "--json=true", file},
                new String[] {"validate", "-x", file}, new String[] {"run", file},
                new String[] {"validate", "--profile", "${env:HOME}", file}, new String[] {"validate", "a\0b"});
        for (String[] args : others) {
            assertThat(ValidateCommand.plainInvocation(args)).as(String.join(" ", args)).isEmpty();
        }
    }

    @Test
    void validate_whenSampleIsValid_exitsZeroAndSaysSo() {
        int exit = run("validate", SAMPLES.resolve("chat.jsonl").toString());

        assertThat(exit).isZero();
        assertThat(out.toString()).contains("is valid for profile openai").contains("requests: 8");
    }

    @Test
    void validate_whenJsonIsAsked_printsExactlyOneReportOfTheDocumentedShape() throws Exception {
        int exit = run("validate", "--json", "--profile", "nebius", SAMPLES.resolve("invalid.jsonl").toString());

        assertThat(exit).isEqualTo(1);
        JsonNode report = new ObjectMapper().readTree(out.toString());
        List<String> fields = new ArrayList<>();
        report.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactly("valid", "profile", "endpoint", "model", "requests", "bytes", "parts",
                "errorCount", "errors");
        assertThat(report.path("profile").asText()).isEqualTo("nebius");
        assertThat(report.path("errorCount").asInt()).isEqualTo(3);
        Iterator<JsonNode> errors = report.path("errors").elements();
        JsonNode first = errors.next();
        assertThat(first.path("line").asInt()).isEqualTo(2);
        assertThat(first.path("code").asText()).isEqualTo("duplicate_custom_id");
        assertThat(first.path("param").asText()).isEqualTo("custom_id");
        assertThat(first.path("message").asText()).contains("line 1");
    }

    @Test
    void validate_whenMoreThanAHundredProblems_listsAHundredAndCountsAll() throws Exception {
        Path file = directory.resolve("bad.jsonl");
        Files.writeString(file, "\n".repeat(150));

        int exit = run("validate", "--json", file.toString());

        JsonNode report = new ObjectMapper().readTree(out.toString());
        assertThat(exit).isEqualTo(1);
        assertThat(report.path("errorCount").asInt()).isEqualTo(151);
        assertThat(report.path("errors")).hasSize(100);
    }

    @Test
    void validate_whenFileIsMissing_exitsTwoWithAMessage() {
        int exit = run("validate", directory.resolve("absent.jsonl").toString());

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("no such file").contains("absent.jsonl");
    }

    @Test
    void validate_whenProfileIsUnknown_exitsTwoNamingTheKnownOnes() {
        int exit = run("validate", "--profile", "nope", SAMPLES.resolve("chat.jsonl").toString());

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("\"nope\"").contains("openai");
    }

    @Test
    void validate_whenNoFileIsGiven_exitsTwoWithUsage() {
        assertThat(run("validate")).isEqualTo(2);
        assertThat(err.toString()).contains("Usage");
    }
}
