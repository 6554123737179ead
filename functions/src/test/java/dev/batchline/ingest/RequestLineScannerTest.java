package dev.batchline.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.batchline.provider.Endpoint;
import dev.batchline.provider.ProviderProfile;
import dev.batchline.provider.ProviderProfiles;
import dev.batchline.testing.CustomIds;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The scanner takes a line only when Jackson would, and reads the same fields from it: held to
 * Jackson line by line, and whole validation reports with the scanner held to those without it.
 */
class RequestLineScannerTest {

    private static final int MAX_NESTING = ValidatorSettings.DEFAULTS.maxNestingDepth();
    private static final JsonFactory JACKSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).build()).build();
    private static final ProviderProfile GENERIC = ProviderProfiles.GENERIC;

    private static final String PLAIN = "{\"custom_id\":\"a-1\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\","
            + "\"body\":{\"model\":\"gpt-4o-mini\",\"max_tokens\":100,\"temperature\":0.5e-1,\"stream\":false,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"caf\u00e9 \\\"quoted\\\" \\u00e9 \\ud83d\\ude00 \ud83d\ude00\"}],"
            + "\"n\":null,\"tools\":[],\"x\":{},\"t\":true}}";

    @Test
    void scan_takesAnOrdinaryRequest_andReadsWhatJacksonReads() throws IOException {
        assertSameAsJackson(PLAIN + "\n");
        assertSameAsJackson("  \t" + PLAIN + " \t\r\n");
        assertSameAsJackson(PLAIN);
        assertSameAsJackson("{}\n");
        assertSameAsJackson("{\"custom_id\":7,\"method\":null,\"url\":[\"/v1/embeddings\"],\"body\":\"x\"}\n");
        assertSameAsJackson("{\"body\":{\"model\":{\"a\":[1,-0,2.5E+3]},\"stream\":true,\"input\":null,\"prompt\":\"p\"}}\n");
        assertSameAsJackson("{\"custom_id\":\"caf\u00e9 \u65e5 \ud83d\ude00\",\"method\":\"P\\u004fST\",\"url\":\"a\\\"b\\\\\\/\\b\\f\\n\\r\\t\","
                + "\"body\":{\"model\":\"\\ud83d\\ude00 \\udc00\"}}\n");
    }

    /** Vision requests carry images as data URLs of megabytes: still one string to skip. */
    @Test
    void scan_takesALineWithAnImageOfMegabytes() throws IOException {
        assertSameAsJackson("{\"custom_id\":\"img\",\"body\":{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":"
                + "\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64," + "iVBORw0K".repeat(400_000)
                + "\"}}]}]}}\n");
    }

    @Test
    void scan_recognisesTheExpectedUrlAndModel_byTheirBytes() {
        RequestFields fields = new RequestFields();
        byte[] line = bytes(PLAIN + "\n");

        boolean taken = new RequestLineScanner(MAX_NESTING).scan(line, 0, line.length, fields,
                bytes("/v1/chat/completions"), bytes("gpt-4o-mini"));

        assertThat(taken).isTrue();
        assertThat(fields.url.expected).isTrue();
        assertThat(fields.model.expected).isTrue();
        assertThat(fields.method.expected).isTrue();
        assertThat(fields.customId.toString()).isEqualTo("a-1");
    }

    /** Lines Jackson refuses, or reads differently from their bytes: the scanner leaves every one to it. */
    @ParameterizedTest
    @ValueSource(strings = {
        "", " ", "[1]", "\"x\"", "{", "{\"a\":1", "{\"a\":1,}", "{\"a\" 1}", "{\"a\":}", "{a:1}", "{'a':1}",
        "{\"a\":01}", "{\"a\":-}", "{\"a\":1.}", "{\"a\":.5}", "{\"a\":1e}", "{\"a\":+1}", "{\"a\":NaN}",
        "{\"a\":tru}", "{\"a\":truex}", "{\"a\":nul}", "{\"a\":[1,]}", "{\"a\":[,1]}", "{\"a\":\"\\x\"}",
        "{\"a\":\"\\u12\"}", "{\"a\":\"\u0001\"}", "{\"a\":\"tab\there\"}", "{\"a\":1}x", "{\"a\":1} {}",
        "{\"a\":1}\r{}", "{\"a\":\r1}", "{\"custom\\u005fid\":\"x\"}", "{\"custom_id\":\"a\",\"custom_id\":\"b\"}", "{\"body\":{},\"body\":{}}",
        "{\"body\":{\"model\":\"a\",\"model\":\"b\"}}", "{\"body\":{\"mo\\u0064el\":\"a\"}}", "\u00ef\u00bb\u00bf{}",
        "{\"a\":1}\u000c", "/*c*/{}", "{\"a\":1 // c\n}"})
    void scan_leavesToJackson_whatItIsNotSureOf(String line) {
        byte[] bytes = bytes(line + "\n");

        boolean taken = new RequestLineScanner(MAX_NESTING).scan(bytes, 0, bytes.length, new RequestFields(), null, null);

        assertThat(taken).as(line).isFalse();
    }

    @Test
    void scan_leavesDeepNestingAndLongNumbersToJackson() {
        String deep = "{\"a\":" + "[".repeat(MAX_NESTING) + "]".repeat(MAX_NESTING) + "}\n";
        String number = "{\"a\":" + "9".repeat(1_001) + "}\n";
        RequestLineScanner scanner = new RequestLineScanner(MAX_NESTING);

        assertThat(scanner.scan(bytes(deep), 0, bytes(deep).length, new RequestFields(), null, null)).isFalse();
        assertThat(scanner.scan(bytes(number), 0, bytes(number).length, new RequestFields(), null, null)).isFalse();
    }

    @Test
    void scan_keepsToTheNestingLimitJacksonIsGiven() throws IOException {
        byte[] line = bytes("{\"body\":{\"messages\":[{}]}}\n");
        for (int limit = 1; limit <= 5; limit++) {
            boolean jacksonTakes = true;
            JsonFactory jackson = JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(limit).build()).build();
            try (JsonParser parser = jackson.createParser(line)) {
                parser.nextToken();
                parser.skipChildren();
            } catch (StreamConstraintsException e) {
                jacksonTakes = false;
            }

            boolean taken = new RequestLineScanner(limit).scan(line, 0, line.length, new RequestFields(), null, null);

            assertThat(taken).as("limit %d", limit).isEqualTo(jacksonTakes);
            assertThat(jacksonTakes).as("limit %d", limit).isEqualTo(limit >= 4);
        }
    }

    @Provide
    Arbitrary<String> lines() {
        return requestLines();
    }

    /** Every line the scanner takes, Jackson takes too, ending where it ends, with the same fields. */
    @Property(tries = 4_000)
    void whatTheScannerTakes_jacksonTakesAlike(@ForAll("lines") String line) throws IOException {
        byte[] bytes = bytes(line);
        if (Utf8.firstInvalid(bytes, 0, bytes.length) >= 0) {
            return; // the validator reports such a line before any reading
        }
        boolean taken = new RequestLineScanner(MAX_NESTING).scan(bytes, 0, bytes.length, new RequestFields(), null,
                null);
        if (taken) {
            assertSameAsJackson(line);
        }
        Statistics.label("taken").collect(taken);
        Statistics.label("taken").coverage(coverage -> {
            coverage.check(true).percentage(percent -> percent > 20);
            coverage.check(false).percentage(percent -> percent > 20);
        });
    }

    @Provide
    Arbitrary<List<String>> files() {
        return requestLines().list().ofMinSize(1).ofMaxSize(12);
    }

    /** The report of a file is the same with the scanner and without it, line numbers and messages included. */
    @Property(tries = 1_000)
    void reportsWithTheScanner_equalReportsWithoutIt(@ForAll("files") List<String> lines) throws IOException {
        assertSameReports(lines);
    }

    @Provide
    Arbitrary<List<String>> chatFiles() {
        return CustomIds.accepted().list().uniqueElements().ofMinSize(1).ofMaxSize(12)
                .flatMap(ids -> Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(100, chatLayouts()),
                                net.jqwik.api.Tuple.of(1, requestLines().map(line -> (Function<String, String>) id -> line)))
                        .list().ofSize(ids.size())
                        .map(layouts -> IntStream.range(0, ids.size()).mapToObj(i -> layouts.get(i).apply(ids.get(i)))
                                .collect(Collectors.toList())));
    }

    /** The same for files of valid requests with any accepted id, where every line reaches the parts. */
    @Property(tries = 1_000, edgeCases = EdgeCasesMode.NONE)
    void reportsOfValidFiles_withTheScanner_equalReportsWithoutIt(@ForAll("chatFiles") List<String> lines)
            throws IOException {
        ValidationReport report = assertSameReports(lines);

        Statistics.label("valid").collect(report.valid());
        Statistics.label("valid").coverage(coverage -> coverage.check(true).percentage(percent -> percent > 50));
    }

    private static ValidationReport assertSameReports(List<String> lines) throws IOException {
        byte[] file = bytes(String.join("", lines));

        ValidationReport scanned = validate(file, true);
        ValidationReport parsed = validate(file, false);

        assertThat(scanned).isEqualTo(parsed);
        return parsed;
    }

    private static ValidationReport validate(byte[] file, boolean scanFirst) throws IOException {
        return new BatchFileValidator(GENERIC, ValidatorSettings.DEFAULTS, scanFirst)
                .validate(new ByteArrayInputStream(file), new PartSplitter(GENERIC, PartStore.discarding()));
    }

    /** Valid chat requests as people write them, for a given id: fields in any order, spaced or not. */
    static Arbitrary<Function<String, String>> chatLayouts() {
        return Combinators.combine(Arbitraries.of(", ", ","), Arbitraries.of(true, false),
                        Arbitraries.of("\n", "\r\n", " \n", "\t\r\n"))
                .as((comma, idFirst, end) -> id -> {
                    String quotedId = quoted(id);
                    String rest = "\"method\":\"POST\"" + comma + "\"url\":\"/v1/chat/completions\"" + comma
                            + "\"body\":{\"model\":\"gpt-4o-mini\"" + comma
                            + "\"messages\":[{\"role\":\"user\",\"content\":" + quotedId + "}]}";
                    String idMember = "\"custom_id\":" + quotedId;
                    return "{" + (idFirst ? idMember + comma + rest : rest + comma + idMember) + "}" + end;
                });
    }

    private static String quoted(String text) {
        return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(text)) + "\"";
    }

    /** Request-like lines, most of them well formed, many with one of the oddities a scanner can miss. */
    static Arbitrary<String> requestLines() {
        Arbitrary<String> members = Combinators.combine(
                        Arbitraries.of("custom_id", "method", "url", "body", "other", "custom\\u005fid", "",
                                "a\\\"b", "body"),
                        values(2))
                .as((name, value) -> "\"" + name + "\":" + value);
        Arbitrary<String> request = members.list().ofMaxSize(6).map(list -> "{" + String.join(",", list) + "}");
        Arbitrary<String> good = Combinators.combine(spaces(), request, spaces(), lineEnds())
                .as((before, object, after, end) -> before + object + after + end);
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, good),
                net.jqwik.api.Tuple.of(3, good.flatMap(RequestLineScannerTest::mutated)),
                net.jqwik.api.Tuple.of(1, Arbitraries.of("\n", " \n", "\r\n", "[]\n", "\"x\"\n", "{}{}\n",
                        "{\"custom_id\":\"a\"\n", "\"method\":\"POST\"}\n")));
    }

    private static Arbitrary<String> values(int depth) {
        Arbitrary<String> scalars = Arbitraries.of(
                "\"POST\"", "\"GET\"", "\"/v1/chat/completions\"", "\"/v1/embeddings\"", "\"gpt-4o-mini\"",
                "\"a-1\"", "\"a-2\"", "\"\"", "\"caf\u00e9\"", "\"\u65e5\u672c\"", "\"\ud83d\ude00\"",
                "\"x\\ny\"", "\"\\\"\"", "\"\\\\\"", "\"\\u00e9\"", "\"\\ud800\"", "\"\\/\"", "\"" + "long ".repeat(40)
                        + "\"", "0", "-0", "12", "-3.25", "1e9", "2E-3", "1.5e+2", "true", "false", "null",
                "123456789012345678901234567890");
        if (depth == 0) {
            return scalars;
        }
        Arbitrary<String> body = Combinators.combine(
                        Arbitraries.of("model", "stream", "messages", "input", "prompt", "max_tokens", "mo\\u0064el"),
                        values(depth - 1))
                .as((name, value) -> "\"" + name + "\":" + value)
                .list().ofMaxSize(5).map(list -> "{" + String.join(",", list) + "}");
        Arbitrary<String> array = values(depth - 1).list().ofMaxSize(3)
                .map(list -> "[" + String.join(", ", list) + "]");
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(6, scalars), net.jqwik.api.Tuple.of(2, body),
                net.jqwik.api.Tuple.of(1, array));
    }

    private static Arbitrary<String> spaces() {
        return Arbitraries.of("", "", "", " ", "\t", "  ");
    }

    private static Arbitrary<String> lineEnds() {
        return Arbitraries.of("\n", "\n", "\n", "\r\n", " \n", "\r", "\r\r\n", "");
    }

    /** The line with one character taken out, or one put in where it breaks most. */
    private static Arbitrary<String> mutated(String line) {
        if (line.isEmpty()) {
            return Arbitraries.just(line);
        }
        Arbitrary<Integer> at = Arbitraries.integers().between(0, line.length() - 1);
        Arbitrary<String> removed = at.map(i -> line.substring(0, i) + line.substring(i + 1));
        Arbitrary<String> inserted = Combinators.combine(at,
                        Arbitraries.of(",", "}", "]", "\"", "\\", ":", "\u0001", "x", "0", " ", "\n", "\r", "{", "["))
                .as((i, c) -> line.substring(0, i) + c + line.substring(i));
        return Arbitraries.oneOf(removed, inserted);
    }

    /** The scanner takes {@code line}; Jackson reads it to the same end and the same fields. */
    private static void assertSameAsJackson(String line) throws IOException {
        byte[] bytes = bytes(line);
        RequestFields scanned = new RequestFields();
        RequestLineScanner scanner = new RequestLineScanner(MAX_NESTING);
        assertThat(scanner.scan(bytes, 0, bytes.length, scanned, null, null)).as(line).isTrue();

        RequestFields parsed = new RequestFields();
        assertThatCode(() -> {
            try (JsonParser parser = JACKSON.createParser(bytes)) {
                assertThat(parser.nextToken()).isEqualTo(JsonToken.START_OBJECT);
                parsed.read(parser, bytes, 0, bytes.length, null, null);
                assertThat(parser.currentLocation().getByteOffset()).as(line).isEqualTo(scanner.valueEnd());
                assertThat(parser.nextToken()).as(line).isNull();
            }
        }).as(line).doesNotThrowAnyException();

        assertThat(describe(scanned)).as(line).isEqualTo(describe(parsed));
    }

    private static String describe(RequestFields fields) {
        return String.join("|", describe(fields.customId), describe(fields.method), describe(fields.url),
                describe(fields.model), String.valueOf(fields.bodyToken), String.valueOf(fields.streamToken),
                String.valueOf(fields.repeatedField), Arrays.stream(Endpoint.values())
                        .map(endpoint -> String.valueOf(fields.hasRequiredField(endpoint))).collect(Collectors.joining()));
    }

    private static String describe(FieldText field) {
        return field.token + ":" + (field.isString() ? field.toString() : "-") + ":" + field.expected;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
