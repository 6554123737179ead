package dev.batchline.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.batchline.config.Json;
import dev.batchline.provider.ProviderProfile;
import dev.batchline.provider.ProviderProfiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Test;

/**
 * A file validated in ranges on several threads gets the report of one pass over it: the ranges
 * prove a file valid, and any doubt (a problem in a range, ranges that disagree, a file limit)
 * sends it through the one pass.
 */
class FileValidationTest {

    /** Parts of two requests, files of 40 requests: the ranges' lines must add up exactly. */
    private static final ProviderProfile SMALL = ProviderProfiles.withOverrides("{\"small\":{\"extends\":\"generic\","
            + "\"maxRequestsPerBatch\":2,\"maxBytesPerBatch\":4000,\"maxLineBytes\":4000,\"maxFileRequests\":40}}",
            Json.mapper())
            .require("small");
    private static final ProviderProfile OPENAI = ProviderProfiles.OPENAI;

    private static String chat(String id, String url, String model) {
        return "{\"custom_id\":\"" + id + "\",\"method\":\"POST\",\"url\":\"" + url + "\",\"body\":{\"model\":\""
                + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hello " + id + "\"}]}}\n";
    }

    private static String chat(String id) {
        return chat(id, "/v1/chat/completions", "gpt-4o-mini");
    }

    private static ValidationReport inOnePass(ProviderProfile profile, Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return new BatchFileValidator(profile, ValidatorSettings.DEFAULTS).validate(in, Files.size(file),
                    new PartSplitter(profile, PartStore.discarding()));
        }
    }

    /** Ranges of any size down to one byte, on three threads. */
    private static ValidationReport inRanges(ProviderProfile profile, Path file) throws IOException {
        return new FileValidation(profile, ValidatorSettings.DEFAULTS, 3, 1).validate(file);
    }

    private static ValidationReport assertSameReport(ProviderProfile profile, String content) throws IOException {
        Path file = Files.createTempFile("batch", ".jsonl");
        try {
            Files.write(file, content.getBytes(StandardCharsets.UTF_8));
            ValidationReport expected = inOnePass(profile, file);

            ValidationReport report = inRanges(profile, file);

            assertThat(report).isEqualTo(expected);
            return report;
        } finally {
            Files.delete(file);
        }
    }

    @Test
    void validate_whenTheFileIsValid_countsRequestsAndPartsAsOnePassDoes() throws IOException {
        StringBuilder file = new StringBuilder();
        for (int i = 0; i < 37; i++) {
            file.append(chat("r" + i + "-" + "x".repeat(i * 7)));
        }

        ValidationReport report = assertSameReport(SMALL, file.toString());

        assertThat(report.valid()).isTrue();
        assertThat(report.requests()).isEqualTo(37);
        assertThat(report.parts()).isEqualTo(19);
    }

    @Test
    void validate_whenAnIdRepeatsInAnotherRange_reportsItWithTheLineOfItsFirstUse() throws IOException {
        ValidationReport report = assertSameReport(OPENAI, chat("a") + chat("b") + chat("c") + chat("d") + chat("a"));

        assertThat(report.errors()).singleElement().satisfies(issue -> {
            assertThat(issue.code()).isEqualTo(ValidationCode.DUPLICATE_CUSTOM_ID);
            assertThat(issue.line()).isEqualTo(5);
        });
    }

    @Test
    void validate_whenRangesStartWithDifferentUrls_reportsTheMismatch() throws IOException {
        ValidationReport report = assertSameReport(OPENAI, chat("a") + chat("b") + chat("c", "/v1/embeddings",
                "gpt-4o-mini").replace("messages", "input"));

        assertThat(report.errors()).extracting(ValidationIssue::code).contains(ValidationCode.MISMATCHED_URL);
    }

    @Test
    void validate_whenRangesNameDifferentModels_followsTheProfile() throws IOException {
        String file = chat("a") + chat("b") + chat("c", "/v1/chat/completions", "gpt-4o");

        ValidationReport mixedRefused = assertSameReport(OPENAI, file);
        ValidationReport mixedAllowed = assertSameReport(ProviderProfiles.GENERIC, file);

        assertThat(mixedRefused.errors()).extracting(ValidationIssue::code).containsExactly(ValidationCode.MIXED_MODELS);
        assertThat(mixedAllowed.valid()).isTrue();
        assertThat(mixedAllowed.model()).isNull();
    }

    /** Only a file's own start may drop one: inside the file, the line is not JSON. */
    @Test
    void validate_whenALaterRangeStartsWithAByteOrderMark_reportsTheLine() throws IOException {
        ValidationReport report = assertSameReport(OPENAI, chat("a") + chat("b") + "\uFEFF" + chat("c"));

        assertThat(report.errors()).extracting(ValidationIssue::line, ValidationIssue::code)
                .containsExactly(tuple(3, ValidationCode.INVALID_JSON));
    }

    @Test
    void validate_whenTheRangesTogetherPassTheFileLimit_reportsTheLineThatDoes() throws IOException {
        StringBuilder file = new StringBuilder();
        for (int i = 0; i < 41; i++) {
            file.append(chat("r" + i));
        }

        ValidationReport report = assertSameReport(SMALL, file.toString());

        assertThat(report.errors()).singleElement().satisfies(issue -> {
            assertThat(issue.code()).isEqualTo(ValidationCode.TOO_MANY_REQUESTS);
            assertThat(issue.line()).isEqualTo(41);
        });
    }

    @Test
    void validate_whenALineIsLongerThanTheProfileAllows_reportsItFromOnePass() throws IOException {
        ProviderProfile narrow = ProviderProfiles.withOverrides("{\"narrow\":{\"extends\":\"generic\","
                + "\"maxLineBytes\":200}}", Json.mapper()).require("narrow");

        ValidationReport report = assertSameReport(narrow, chat("a") + chat("b" + "x".repeat(400)) + chat("c"));

        assertThat(report.errors()).extracting(ValidationIssue::code).containsExactly(ValidationCode.LINE_TOO_LARGE);
    }

    @Provide
    Arbitrary<List<String>> files() {
        return Arbitraries.oneOf(RequestLineScannerTest.requestLines().list().ofMinSize(1).ofMaxSize(12),
                new RequestLineScannerTest().chatFiles());
    }

    /** Any file, cut anywhere between lines: the report of one pass. */
    @Property(tries = 600, edgeCases = EdgeCasesMode.NONE)
    void anyFile_getsTheReportOfOnePass(@ForAll("files") List<String> lines) throws IOException {
        ValidationReport report = assertSameReport(SMALL, String.join("", lines));

        Statistics.label("valid").collect(report.valid());
        Statistics.label("valid").coverage(coverage -> coverage.check(true).percentage(percent -> percent > 20));
    }
}
