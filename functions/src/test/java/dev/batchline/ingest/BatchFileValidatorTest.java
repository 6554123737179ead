package dev.batchline.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.batchline.ids.Fingerprinter;
import dev.batchline.job.StagedPart;
import dev.batchline.provider.ProviderProfile;
import dev.batchline.provider.ProviderProfiles;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class BatchFileValidatorTest {

    private static final ProviderProfile OPENAI = ProviderProfiles.OPENAI;

    static String chat(String customId, String model) {
        return "{\"custom_id\":\"" + customId + "\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\","
                + "\"body\":{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}}";
    }

    static String chat(String customId) {
        return chat(customId, "gpt-4o-mini");
    }

    private static ValidationReport validate(ProviderProfile profile, byte[] file) throws IOException {
        return new BatchFileValidator(profile, ValidatorSettings.DEFAULTS)
                .validate(new ByteArrayInputStream(file), new PartSplitter(profile, PartStore.discarding()));
    }

    private static ValidationReport validate(String file) throws IOException {
        return validate(OPENAI, file.getBytes(StandardCharsets.UTF_8));
    }

    private static String lines(String... lines) {
        return String.join("\n", lines) + "\n";
    }

    @Test
    void validate_whenFileIsClean_reportsValidWithEndpointModelAndCounts() throws IOException {
        String file = lines(chat("a"), chat("b"), chat("c"));

        ValidationReport report = validate(file);

        assertThat(report.valid()).isTrue();
        assertThat(report.errors()).isEmpty();
        assertThat(report.requests()).isEqualTo(3);
        assertThat(report.bytes()).isEqualTo(file.getBytes(StandardCharsets.UTF_8).length);
        assertThat(report.endpoint()).isEqualTo("/v1/chat/completions");
        assertThat(report.model()).isEqualTo("gpt-4o-mini");
        assertThat(report.parts()).isEqualTo(1);
    }

    /**
     * Bytes a parser could take for another encoding (NUL, UTF-16, UTF-32) or for a byte order mark,
     * at the start of a line inside the file: each line is invalid JSON, reported once, and the
     * validation ends.
     */
    @ParameterizedTest(name = "[{index}]")
    @ValueSource(strings = {"x\u0000", "\u0000x", "\u0000", "\u0000\u0000\u0000x", "\uFEFF{}",
        "{\u0000\"\u0000a\u0000\"\u0000:\u00001\u0000}\u0000"})
    void validate_whenALineLooksLikeAnotherEncoding_reportsItAsInvalidJson(String odd) {
        String file = lines(chat("a"), odd, chat("b"));

        ValidationReport report = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> validate(file));

        assertThat(report.requests()).isEqualTo(3);
        assertThat(report.errors()).extracting(ValidationIssue::line, ValidationIssue::code)
                .containsExactly(tuple(2, ValidationCode.INVALID_JSON));
    }

    /** A carriage return without a newline at the very end ends the last line, as Python's reading of lines has it. */
    @Test
    void validate_whenTheFileEndsInACarriageReturn_takesItAsTheLastLineEnd() throws IOException {
        ValidationReport scanned = validate(chat("a") + "\r");
        ValidationReport parsed = validate(chat("a").replace("{\"custom_id\"", "{\"custom\\u005fid\"") + "\r");

        assertThat(scanned.errors()).isEmpty();
        assertThat(parsed.errors()).isEmpty();
    }

    /** Jackson names where an unclosed array began; the line is the file's, not the parser's. */
    @Test
    void validate_whenJacksonSaysWhereAValueBegan_namesTheLineOfTheFile() throws IOException {
        ValidationReport report = validate(lines(chat("a"), chat("b"), "{\"custom_id\":\"c\",\"x\":[1}}"));

        assertThat(report.errors()).singleElement().satisfies(issue -> {
            assertThat(issue.line()).isEqualTo(3);
            assertThat(issue.message()).contains("line: 3").doesNotContain("line: 1");
        });
    }

    /** Models whose JSON text holds an escape are compared decoded, never by their raw bytes. */
    @Test
    void validate_whenTheFirstModelHoldsABackslash_comparesModelsDecoded() throws IOException {
        String literalBackslash = chat("a", "m\\\\nx");
        String newline = chat("b", "m\\nx");
        String quote = chat("c", "m\\\"x");

        ValidationReport report = validate(lines(literalBackslash, newline, quote));

        assertThat(report.errors()).extracting(ValidationIssue::line, ValidationIssue::code)
                .containsExactly(tuple(2, ValidationCode.MIXED_MODELS), tuple(3, ValidationCode.MIXED_MODELS));
    }

    @Test
    void validate_whenBomCrlfAndNoFinalNewline_acceptsTheFile() throws IOException {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        byte[] body = (chat("a") + "\r\n" + chat("b")).getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        file.write(bom);
        file.write(body);

        ValidationReport report = validate(OPENAI, file.toByteArray());

        assertThat(report.errors()).isEmpty();
        assertThat(report.requests()).isEqualTo(2);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
        "invalid_json       | {\"custom_id\": \"x\"                                                  |      ",
        "invalid_json       | [1,2]                                                                 |      ",
        "invalid_json       | '" + "{\"custom_id\":\"x\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{\"model\":\"gpt-4o-mini\",\"messages\":[]}} {}" + "' |      ",
        "missing_custom_id  | {\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{\"model\":\"gpt-4o-mini\",\"messages\":[]}} | custom_id",
        "invalid_custom_id  | {\"custom_id\":7,\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{\"model\":\"gpt-4o-mini\",\"messages\":[]}} | custom_id",
        "invalid_custom_id  | {\"custom_id\":\"\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{\"model\":\"gpt-4o-mini\",\"messages\":[]}} | custom_id",
        "invalid_method     | {\"custom_id\":\"x\",\"method\":\"GET\",\"url\":\"/v1/chat/completions\",\"body\":{\"model\":\"gpt-4o-mini\",\"messages\":[]}} | method",
        "invalid_method     | {\"custom_id\":\"x\",\"url\":\"/v1/chat/completions\",\"body\":{\"model\":\"gpt-4o-mini\",\"messages\":[]}} | method",
        "invalid_url        | {\"custom_id\":\"x\",\"method\":\"POST\",\"url\":\"/v1/images\",\"body\":{\"model\":\"gpt-4o-mini\",\"messages\":[]}} | url",
        "invalid_url        | {\"custom_id\":\"x\",\"method\":\"POST\",\"body\":{\"model\":\"gpt-4o-mini\",\"messages\":[]}} | url",
        "missing_body       | {\"custom_id\":\"x\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\"} | body",
        "missing_body       | {\"custom_id\":\"x\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":\"hi\"} | body",
        "missing_model      | {\"custom_id\":\"x\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{\"messages\":[]}} | body.model",
        "missing_model      | {\"custom_id\":\"x\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{\"model\":3,\"messages\":[]}} | body.model",
        "stream_not_supported | {\"custom_id\":\"x\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{\"model\":\"gpt-4o-mini\",\"stream\":true,\"messages\":[]}} | body.stream",
        "missing_required_field | {\"custom_id\":\"x\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{\"model\":\"gpt-4o-mini\",\"input\":\"hi\"}} | body.messages",
    })
    void validate_whenThirdLineIsBad_reportsTheCodeAtLineThree(String code, String badLine, String param)
            throws IOException {
        ValidationReport report = validate(lines(chat("a"), chat("b"), badLine.trim(), chat("d")));

        assertThat(report.valid()).isFalse();
        assertThat(report.errors()).extracting(e -> e.code().code(), ValidationIssue::line, ValidationIssue::param)
                .containsExactly(tuple(code, 3, param));
        assertThat(report.parts()).isZero();
    }

    @Test
    void validate_whenEmbeddingHasNoInput_reportsMissingRequiredFieldForThatEndpoint() throws IOException {
        String embedding = "{\"custom_id\":\"e\",\"method\":\"POST\",\"url\":\"/v1/embeddings\","
                + "\"body\":{\"model\":\"text-embedding-3-small\",\"messages\":[]}}";

        ValidationReport report = validate(lines(embedding));

        assertThat(report.errors()).extracting(ValidationIssue::code, ValidationIssue::line, ValidationIssue::param)
                .containsExactly(tuple(ValidationCode.MISSING_REQUIRED_FIELD, 1, "body.input"));
    }

    @Test
    void validate_whenCustomIdRepeats_reportsTheLaterLineAndNamesTheFirst() throws IOException {
        ValidationReport report = validate(lines(chat("a"), chat("b"), chat("a")));

        assertThat(report.errors()).singleElement().satisfies(e -> {
            assertThat(e.code()).isEqualTo(ValidationCode.DUPLICATE_CUSTOM_ID);
            assertThat(e.line()).isEqualTo(3);
            assertThat(e.message()).contains("\"a\"").contains("line 1");
        });
    }

    @Test
    void validate_whenCustomIdLongerThan512_reportsInvalidCustomId() throws IOException {
        ValidationReport report = validate(lines(chat("a"), chat("x".repeat(513))));

        assertThat(report.errors()).extracting(ValidationIssue::code, ValidationIssue::line)
                .containsExactly(tuple(ValidationCode.INVALID_CUSTOM_ID, 2));
    }

    @Test
    void validate_whenUrlDiffersFromFirstLine_reportsMismatchedUrl() throws IOException {
        String embedding = "{\"custom_id\":\"e\",\"method\":\"POST\",\"url\":\"/v1/embeddings\","
                + "\"body\":{\"model\":\"gpt-4o-mini\",\"input\":\"hi\"}}";

        ValidationReport report = validate(lines(chat("a"), embedding));

        assertThat(report.errors()).extracting(ValidationIssue::code, ValidationIssue::line, ValidationIssue::param)
                .containsExactly(tuple(ValidationCode.MISMATCHED_URL, 2, "url"));
    }

    @Test
    void validate_whenModelsDifferAndProfileTakesOneModel_reportsMixedModels() throws IOException {
        ValidationReport report = validate(lines(chat("a", "m1"), chat("b", "m1"), chat("c", "m2")));

        assertThat(report.errors()).extracting(ValidationIssue::code, ValidationIssue::line)
                .containsExactly(tuple(ValidationCode.MIXED_MODELS, 3));
    }

    @Test
    void validate_whenModelsDifferAndProfileAllowsIt_acceptsWithoutASingleModel() throws IOException {
        ValidationReport report = validate(ProviderProfiles.OVHCLOUD,
                lines(chat("a", "m1"), chat("b", "m2")).getBytes(StandardCharsets.UTF_8));

        assertThat(report.valid()).isTrue();
        assertThat(report.model()).isNull();
    }

    @Test
    void validate_whenLineIsBlank_reportsBlankLine() throws IOException {
        ValidationReport report = validate(chat("a") + "\n   \n" + chat("b") + "\n");

        assertThat(report.errors()).extracting(ValidationIssue::code, ValidationIssue::line)
                .containsExactly(tuple(ValidationCode.BLANK_LINE, 2));
        assertThat(report.requests()).isEqualTo(2);
    }

    @Test
    void validate_whenFileIsEmpty_reportsEmptyFile() throws IOException {
        assertThat(validate("").errors()).extracting(ValidationIssue::code, ValidationIssue::line)
                .containsExactly(tuple(ValidationCode.EMPTY_FILE, null));
        assertThat(validate(OPENAI, new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}).errors())
                .extracting(ValidationIssue::code).containsExactly(ValidationCode.EMPTY_FILE);
    }

    @Test
    void validate_whenLineHasInvalidUtf8_reportsInvalidEncodingWithTheColumn() throws IOException {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        file.write(lines(chat("a")).getBytes(StandardCharsets.UTF_8));
        byte[] bad = chat("caf\u00e9").getBytes(StandardCharsets.UTF_8);
        int e9 = new String(bad, StandardCharsets.ISO_8859_1).indexOf('\u00c3');
        bad[e9 + 1] = (byte) 0x28; // a lead byte without its continuation
        file.write(bad);
        file.write('\n');

        ValidationReport report = validate(OPENAI, file.toByteArray());

        assertThat(report.errors()).singleElement().satisfies(e -> {
            assertThat(e.code()).isEqualTo(ValidationCode.INVALID_ENCODING);
            assertThat(e.line()).isEqualTo(2);
            assertThat(e.message()).contains("0xC3").contains("column " + (e9 + 1));
        });
    }

    @Test
    void validate_whenValidMultibyteUtf8_acceptsIt() throws IOException {
        assertThat(validate(lines(chat("caf\u00e9-\u65e5\u672c-\uD83D\uDE00"))).valid()).isTrue();
    }

    @Test
    void validate_whenLineIsOverTheProfileLimit_reportsLineTooLargeAndGoesOn() throws IOException {
        ProviderProfile small = withLimits(OPENAI, 1000, 100_000, 300);
        String big = chat("big").replace("\"hi\"", "\"" + "x".repeat(400) + "\"");

        ValidationReport report = validate(small, lines(chat("a"), big, chat("c"), chat("c"))
                .getBytes(StandardCharsets.UTF_8));

        assertThat(report.errors()).extracting(ValidationIssue::code, ValidationIssue::line)
                .containsExactly(tuple(ValidationCode.LINE_TOO_LARGE, 2), tuple(ValidationCode.DUPLICATE_CUSTOM_ID, 4));
        assertThat(report.requests()).isEqualTo(4);
    }

    @Test
    void validate_whenOverRequestLimitOfANonSplittingProfile_reportsTooManyRequestsOnce() throws IOException {
        ProviderProfile two = noSplit(withLimits(OPENAI, 2, 100_000, 10_000));

        ValidationReport report = validate(two, lines(chat("a"), chat("b"), chat("c"), chat("d"))
                .getBytes(StandardCharsets.UTF_8));

        assertThat(report.errors()).extracting(ValidationIssue::code, ValidationIssue::line)
                .containsExactly(tuple(ValidationCode.TOO_MANY_REQUESTS, 3));
    }

    @Test
    void validate_whenOverByteLimitOfANonSplittingProfile_reportsFileTooLargeAtTheCrossingLine()
            throws IOException {
        int lineBytes = chat("a").length() + 1;
        ProviderProfile small = noSplit(withLimits(OPENAI, 1000, lineBytes * 2L + 5, 200));

        ValidationReport report = validate(small, lines(chat("a"), chat("b"), chat("c"), chat("d"))
                .getBytes(StandardCharsets.UTF_8));

        assertThat(report.errors()).extracting(ValidationIssue::code, ValidationIssue::line)
                .containsExactly(tuple(ValidationCode.FILE_TOO_LARGE, 3));
    }

    @Test
    void validate_whenNestingIsHostile_reportsInvalidJsonWithoutBlowingTheStack() throws IOException {
        String deep = "{\"custom_id\":\"d\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{\"model\":\"m\","
                + "\"messages\":" + "[".repeat(10_000) + "]".repeat(10_000) + "}}";

        ValidationReport report = validate(lines(chat("a"), deep));

        assertThat(report.errors()).singleElement().satisfies(e -> {
            assertThat(e.code()).isEqualTo(ValidationCode.INVALID_JSON);
            assertThat(e.line()).isEqualTo(2);
            assertThat(e.message()).containsIgnoringCase("nesting depth");
        });
    }

    @Test
    void validate_whenManyLinesAreBad_countsAllAndListsTheFirstHundred() throws IOException {
        StringBuilder file = new StringBuilder();
        for (int i = 0; i < 10_000; i++) {
            file.append("{\"custom_id\":\"r").append(i).append("\",\"method\":\"GET\",\"url\":\"/v1/chat/completions\","
                    + "\"body\":{\"model\":\"m\",\"messages\":[]}}\n");
        }

        ValidationReport report = validate(file.toString());

        assertThat(report.errorCount()).isEqualTo(10_000);
        assertThat(report.errors()).hasSize(100);
        assertThat(report.errors().get(99).line()).isEqualTo(100);
    }

    @Test
    void validate_whenOneLineHasSeveralProblems_reportsEachWithItsField() throws IOException {
        String bad = "{\"custom_id\":\"\",\"method\":\"PUT\",\"url\":\"/v1/chat/completions\",\"body\":{\"stream\":true}}";

        ValidationReport report = validate(lines(bad));

        assertThat(report.errors()).extracting(ValidationIssue::param)
                .containsExactly("custom_id", "method", "body.model", "body.stream", "body.messages");
    }

    @Test
    void validate_whenFileIsOverTheBatchLimits_splitsIntoPartsThatFit() throws IOException {
        ProviderProfile three = withLimits(OPENAI, 3, 1_000_000, 10_000);
        List<String> requests = new ArrayList<>();
        for (int i = 1; i <= 8; i++) {
            requests.add(chat("r" + i));
        }
        RecordingStore store = new RecordingStore();
        PartSplitter splitter = new PartSplitter(three, store);

        ValidationReport report = new BatchFileValidator(three, ValidatorSettings.DEFAULTS).validate(
                new ByteArrayInputStream(lines(requests.toArray(String[]::new)).getBytes(StandardCharsets.UTF_8)),
                splitter);

        assertThat(report.parts()).isEqualTo(3);
        assertThat(splitter.parts()).extracting(StagedPart::requests, StagedPart::firstLine)
                .containsExactly(tuple(3, 1), tuple(3, 4), tuple(2, 7));
        assertThat(store.contents).containsExactly(
                lines(requests.subList(0, 3).toArray(String[]::new)),
                lines(requests.subList(3, 6).toArray(String[]::new)),
                lines(requests.subList(6, 8).toArray(String[]::new)));
    }

    @Test
    void validate_handsEachPartItsDecodedCustomIdsWithTheirFingerprints() throws IOException {
        RecordingStore store = new RecordingStore();

        new BatchFileValidator(OPENAI, ValidatorSettings.DEFAULTS).validate(new ByteArrayInputStream(
                lines(chat("plain"), chat("caf\\u00e9 \\ud83d\\ude00")).getBytes(StandardCharsets.UTF_8)),
                new PartSplitter(OPENAI, store));

        List<String> expected = new ArrayList<>();
        for (String id : List.of("plain", "café 😀")) {
            Fingerprinter fingerprint = new Fingerprinter();
            fingerprint.hash(id);
            expected.add(id + " " + fingerprint.first() + " " + fingerprint.second());
        }
        assertThat(store.ids).containsExactlyElementsOf(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"x\\ud83d", "\\ude00x", "a\\ud83d\\ud83d"})
    void validate_whenACustomIdHoldsAnUnpairedSurrogate_reportsItAsInvalid(String escaped) throws IOException {
        ValidationReport report = validate(lines(chat(escaped), chat("fine")));

        assertThat(report.errors()).extracting(ValidationIssue::code, ValidationIssue::line, ValidationIssue::param)
                .containsExactly(tuple(ValidationCode.INVALID_CUSTOM_ID, 1, "custom_id"));
        assertThat(report.errors().get(0).message()).contains("unpaired surrogate");
    }

    @Test
    void validate_whenTheFileNeedsMorePartsThanAJobTakes_reportsTheFirstRequestOverOnce() throws IOException {
        ProviderProfile one = withLimits(OPENAI, 1, 1_000_000, 10_000);
        List<String> requests = new ArrayList<>();
        for (int i = 1; i <= WorkflowInput.MAX_PARTS + 5; i++) {
            requests.add(chat("r" + i));
        }

        ValidationReport report = validate(one, lines(requests.toArray(String[]::new))
                .getBytes(StandardCharsets.UTF_8));

        assertThat(report.valid()).isFalse();
        assertThat(report.errors()).extracting(ValidationIssue::code, ValidationIssue::line)
                .containsExactly(tuple(ValidationCode.TOO_MANY_PARTS, WorkflowInput.MAX_PARTS + 1));
        assertThat(report.errors().get(0).message()).contains("at most " + WorkflowInput.MAX_PARTS + " parts");
    }

    @Test
    void validate_whenTheFileFillsExactlyTheMostParts_isValid() throws IOException {
        ProviderProfile one = withLimits(OPENAI, 1, 1_000_000, 10_000);
        List<String> requests = new ArrayList<>();
        for (int i = 1; i <= WorkflowInput.MAX_PARTS; i++) {
            requests.add(chat("r" + i));
        }

        ValidationReport report = validate(one, lines(requests.toArray(String[]::new))
                .getBytes(StandardCharsets.UTF_8));

        assertThat(report.valid()).isTrue();
        assertThat(report.parts()).isEqualTo(WorkflowInput.MAX_PARTS);
    }

    @Test
    void validate_whenFileTurnsInvalidAfterPartsWereWritten_discardsThem() throws IOException {
        ProviderProfile two = withLimits(OPENAI, 2, 1_000_000, 10_000);
        RecordingStore store = new RecordingStore();

        ValidationReport report = new BatchFileValidator(two, ValidatorSettings.DEFAULTS).validate(
                new ByteArrayInputStream(lines(chat("a"), chat("b"), chat("c"), chat("a"))
                        .getBytes(StandardCharsets.UTF_8)), new PartSplitter(two, store));

        assertThat(report.valid()).isFalse();
        assertThat(store.discarded).isTrue();
    }

    @Test
    void validate_whenALineIsCutShort_reportsItAndChecksTheNextLineAfresh() throws IOException {
        String cut = "{\"custom_id\": \"broken\", \"method\": \"POST\"";

        ValidationReport report = validate(lines(chat("a"), cut, chat("c"), chat("c")));

        assertThat(report.errors()).extracting(ValidationIssue::code, ValidationIssue::line)
                .containsExactly(tuple(ValidationCode.INVALID_JSON, 2), tuple(ValidationCode.DUPLICATE_CUSTOM_ID, 4));
        assertThat(report.requests()).isEqualTo(4);
    }

    @Test
    void validate_whenARequestIsPrettyPrinted_reportsItSpansLines() throws IOException {
        String pretty = chat("p").replace(",\"method\"", ",\n\"method\"");

        ValidationReport report = validate(lines(chat("a"), pretty, chat("c")));

        assertThat(report.errors()).extracting(ValidationIssue::code, ValidationIssue::line)
                .containsExactly(tuple(ValidationCode.INVALID_JSON, 2));
        assertThat(report.errors().get(0).message()).contains("spans lines 2 to 3");
    }

    @Test
    void validate_whenGarbageFollowsAnObject_reportsTheLineOnce() throws IOException {
        ValidationReport report = validate(lines(chat("a") + " trailing", chat("b")));

        assertThat(report.errors()).extracting(ValidationIssue::code, ValidationIssue::line)
                .containsExactly(tuple(ValidationCode.INVALID_JSON, 1));
        assertThat(report.requests()).isEqualTo(2);
    }

    @Test
    void validate_whenTheReadBufferIsSmall_givesTheSameReportAsWithTheDefault() throws IOException {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            lines.add(switch (i % 50) {
                case 7 -> "   ";
                case 13 -> "{\"custom_id\": \"cut-" + i + "\", \"method\"";
                case 21 -> chat("r" + (i - 1));
                case 34 -> chat("caf\u00e9-" + i).replace("\u00e9", "\u00e9\u00e9");
                case 41 -> "[1, 2, 3]";
                default -> chat("r" + i).replace("\"hi\"", "\"" + "w".repeat(i) + "\"");
            });
        }
        byte[] file = lines(lines.toArray(String[]::new)).getBytes(StandardCharsets.UTF_8);
        ProviderProfile profile = withLimits(OPENAI, 50_000, 100_000_000, 100_000);

        ValidationReport small = new BatchFileValidator(profile, new ValidatorSettings(1000, 128, 1024))
                .validate(new ByteArrayInputStream(file), new PartSplitter(profile, PartStore.discarding()));
        ValidationReport large = new BatchFileValidator(profile, new ValidatorSettings(1000, 128, 1 << 20))
                .validate(new ByteArrayInputStream(file), new PartSplitter(profile, PartStore.discarding()));

        assertThat(small).isEqualTo(large);
        assertThat(small.errorCount()).isEqualTo(8 * 4);
        assertThat(small.errors()).extracting(ValidationIssue::line).isSorted();
    }

    static ProviderProfile withLimits(ProviderProfile p, int maxRequests, long maxBytes, int maxLineBytes) {
        return new ProviderProfile(p.name(), p.baseUrl(), p.apiKeyRef(), p.endpoints(), maxRequests, maxBytes,
                maxLineBytes, p.maxFileRequests(), p.maxFileBytes(), p.splitAllowed(), p.oneModelPerFile(),
                p.completionWindow(), p.maxConcurrentBatches(), p.initialPollSeconds(), p.pollBackoff(),
                p.maxPollSeconds(), p.filePurpose(), p.statusAliases());
    }

    static ProviderProfile noSplit(ProviderProfile p) {
        return new ProviderProfile(p.name(), p.baseUrl(), p.apiKeyRef(), p.endpoints(), p.maxRequestsPerBatch(),
                p.maxBytesPerBatch(), p.maxLineBytes(), p.maxFileRequests(), p.maxFileBytes(), false,
                p.oneModelPerFile(), p.completionWindow(), p.maxConcurrentBatches(), p.initialPollSeconds(),
                p.pollBackoff(), p.maxPollSeconds(), p.filePurpose(), p.statusAliases());
    }

    /** A plain in-memory part store. */
    static final class RecordingStore implements PartStore {
        final List<String> contents = new ArrayList<>();
        /** Each id as handed over, with the fingerprint beside it: {@code id first second}. */
        final List<String> ids = new ArrayList<>();
        boolean discarded;

        @Override
        public PartOutput open(int partNumber) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            return new PartOutput() {
                @Override
                public java.io.OutputStream stream() {
                    return out;
                }

                @Override
                public void addId(char[] id, int length, long first, int second) {
                    ids.add(new String(id, 0, length) + " " + first + " " + second);
                }

                @Override
                public String commit() {
                    contents.add(out.toString(StandardCharsets.UTF_8));
                    return "part-" + partNumber;
                }
            };
        }

        @Override
        public void discardAll() {
            discarded = true;
            contents.clear();
        }
    }
}
