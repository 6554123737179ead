package dev.batchline.ingest;

import static dev.batchline.ingest.ValidationCode.BLANK_LINE;
import static dev.batchline.ingest.ValidationCode.DUPLICATE_CUSTOM_ID;
import static dev.batchline.ingest.ValidationCode.EMPTY_FILE;
import static dev.batchline.ingest.ValidationCode.FILE_TOO_LARGE;
import static dev.batchline.ingest.ValidationCode.INVALID_CUSTOM_ID;
import static dev.batchline.ingest.ValidationCode.INVALID_ENCODING;
import static dev.batchline.ingest.ValidationCode.INVALID_JSON;
import static dev.batchline.ingest.ValidationCode.INVALID_METHOD;
import static dev.batchline.ingest.ValidationCode.INVALID_URL;
import static dev.batchline.ingest.ValidationCode.LINE_TOO_LARGE;
import static dev.batchline.ingest.ValidationCode.MISMATCHED_URL;
import static dev.batchline.ingest.ValidationCode.MISSING_BODY;
import static dev.batchline.ingest.ValidationCode.MISSING_CUSTOM_ID;
import static dev.batchline.ingest.ValidationCode.MISSING_MODEL;
import static dev.batchline.ingest.ValidationCode.MISSING_REQUIRED_FIELD;
import static dev.batchline.ingest.ValidationCode.MIXED_MODELS;
import static dev.batchline.ingest.ValidationCode.STREAM_NOT_SUPPORTED;
import static dev.batchline.ingest.ValidationCode.TOO_MANY_REQUESTS;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import dev.batchline.provider.Endpoint;
import dev.batchline.provider.ProviderProfile;
import java.io.IOException;
import java.io.InputStream;

/**
 * Checks an OpenAI-format batch file against a provider profile in one streaming pass (DESIGN.md §3).
 * Memory is bounded by the profile (longest line, request limit), never by the file: lines are
 * parsed one at a time as tokens and custom_ids are kept as fixed-size fingerprints.
 *
 * <p>Every line is checked even after a problem, so a report counts them all. Request lines go to
 * the {@link LineSink} while the file is still valid; at the first problem the sink is abandoned.
 */
public final class BatchFileValidator {

    private static final int MAX_CUSTOM_ID_CHARS = 512;
    private static final int BODY_HAS_MESSAGES = 1;
    private static final int BODY_HAS_INPUT = 2;
    private static final int BODY_HAS_PROMPT = 4;

    private final ProviderProfile profile;
    private final ValidatorSettings settings;
    private final JsonFactory jsonFactory;

    public BatchFileValidator(ProviderProfile profile, ValidatorSettings settings) {
        this.profile = profile;
        this.settings = settings;
        this.jsonFactory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(settings.maxNestingDepth())
                        .maxDocumentLength(profile.maxLineBytes())
                        .maxStringLength(profile.maxLineBytes())
                        .build())
                .build();
    }

    public ValidationReport validate(InputStream input, LineSink sink) throws IOException {
        return new Scan(sink).run(input);
    }

    /** The state of one file's validation. */
    private final class Scan {
        private final LineSink sink;
        private final IssueCollector issues = new IssueCollector(settings.maxListedErrors());
        private final CustomIdSet customIds = new CustomIdSet();
        private boolean sinkOpen = true;
        private long bytes;
        private long requests;
        private String firstUrl;
        private int firstUrlLine;
        private String firstModel;
        private int firstModelLine;
        private boolean severalModels;
        private boolean tooManyReported;
        private int contentOffset;
        private int contentLength;

        // Fields of the line being checked.
        private int line;
        private JsonToken customIdToken;
        private String customId;
        private JsonToken methodToken;
        private String method;
        private JsonToken urlToken;
        private String url;
        private JsonToken bodyToken;
        private JsonToken modelToken;
        private String model;
        private JsonToken streamToken;
        private int bodyFields;

        Scan(LineSink sink) {
            this.sink = sink;
        }

        ValidationReport run(InputStream input) throws IOException {
            LineReader reader = new LineReader(input, profile.maxLineBytes(), settings.readBufferBytes());
            while (reader.next()) {
                line++;
                bytes += reader.rawLength();
                boolean request = checkLine(reader);
                checkFileLimits(reader.rawLength());
                if (sinkOpen && issues.total() > 0) {
                    sinkOpen = false;
                    sink.abandon();
                } else if (sinkOpen && request) {
                    sink.accept(reader.array(), contentOffset, contentLength);
                }
            }
            if (requests == 0) {
                report(null, EMPTY_FILE, "the file holds no requests", null);
            }
            boolean valid = issues.total() == 0;
            int parts = valid ? sink.finish() : 0;
            return new ValidationReport(valid, profile.name(), firstUrl, severalModels ? null : firstModel,
                    requests, bytes, parts, issues.total(), issues.listed());
        }

        /** Checks one line; true when it is a request line (blank lines are not). */
        private boolean checkLine(LineReader reader) {
            byte[] array = reader.array();
            contentOffset = reader.offset();
            contentLength = reader.length();
            if (line == 1 && startsWithByteOrderMark(reader)) {
                contentOffset += 3;
                contentLength -= 3;
            }
            if (reader.oversized()) {
                requests++;
                report(line, LINE_TOO_LARGE, "the line is " + reader.rawLength() + " bytes long; profile "
                        + profile.name() + " takes lines of at most " + profile.maxLineBytes() + " bytes", null);
                return true;
            }
            if (isBlank(array, contentOffset, contentLength)) {
                report(line, BLANK_LINE, "blank line; every line must be one JSON request", null);
                return false;
            }
            requests++;
            int badByte = reader.nonAscii() ? Utf8.firstInvalid(array, contentOffset, contentLength) : -1;
            if (badByte >= 0) {
                report(line, INVALID_ENCODING, String.format(
                        "the line is not valid UTF-8: byte 0x%02X at column %d",
                        array[contentOffset + badByte] & 0xFF, badByte + 1), null);
            } else {
                checkRequest(array, contentOffset, contentLength);
            }
            return true;
        }

        private boolean startsWithByteOrderMark(LineReader reader) {
            byte[] a = reader.array();
            int o = reader.offset();
            return reader.length() >= 3 && (a[o] & 0xFF) == 0xEF && (a[o + 1] & 0xFF) == 0xBB
                    && (a[o + 2] & 0xFF) == 0xBF;
        }

        private void checkFileLimits(long lineBytes) {
            if (requests == profile.fileRequestLimit() + 1L && !tooManyReported) {
                tooManyReported = true;
                report(line, TOO_MANY_REQUESTS, "request " + requests + " is over the limit of profile "
                        + profile.name() + " (" + profile.fileRequestLimit() + " requests per file)", null);
            }
            if (bytes > profile.fileByteLimit() && bytes - lineBytes <= profile.fileByteLimit()) {
                report(line, FILE_TOO_LARGE, "the file passes the limit of profile " + profile.name() + " ("
                        + profile.fileByteLimit() + " bytes per file) at this line", null);
            }
        }

        private void checkRequest(byte[] array, int offset, int length) {
            resetLineFields();
            try (JsonParser parser = jsonFactory.createParser(array, offset, length)) {
                if (!readRequest(parser)) {
                    return;
                }
            } catch (JsonProcessingException e) {
                String where = e.getLocation() == null ? "" : " at column " + e.getLocation().getColumnNr();
                report(line, INVALID_JSON, "invalid JSON" + where + ": " + withoutSource(e.getOriginalMessage()),
                        null);
                return;
            } catch (IOException e) {
                report(line, INVALID_JSON, "invalid JSON: " + e.getMessage(), null);
                return;
            }
            checkCustomId();
            checkMethod();
            Endpoint endpoint = checkUrl();
            checkBody(endpoint);
        }

        private void resetLineFields() {
            customIdToken = null;
            customId = null;
            methodToken = null;
            method = null;
            urlToken = null;
            url = null;
            bodyToken = null;
            modelToken = null;
            model = null;
            streamToken = null;
            bodyFields = 0;
        }

        /** Reads the line's fields; false (with the problem reported) when the line is not one JSON object. */
        private boolean readRequest(JsonParser parser) throws IOException {
            JsonToken token = parser.nextToken();
            if (token != JsonToken.START_OBJECT) {
                report(line, INVALID_JSON, "the line must be a JSON object, found " + describe(token), null);
                return false;
            }
            while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                token = parser.nextToken();
                switch (name) {
                    case "custom_id" -> {
                        if (customIdToken != null) {
                            return duplicateField(name);
                        }
                        customIdToken = token;
                        customId = token == JsonToken.VALUE_STRING ? parser.getText() : null;
                    }
                    case "method" -> {
                        if (methodToken != null) {
                            return duplicateField(name);
                        }
                        methodToken = token;
                        method = token == JsonToken.VALUE_STRING ? parser.getText() : null;
                    }
                    case "url" -> {
                        if (urlToken != null) {
                            return duplicateField(name);
                        }
                        urlToken = token;
                        url = token == JsonToken.VALUE_STRING ? parser.getText() : null;
                    }
                    case "body" -> {
                        if (bodyToken != null) {
                            return duplicateField(name);
                        }
                        bodyToken = token;
                        if (token == JsonToken.START_OBJECT) {
                            readBody(parser);
                            continue;
                        }
                    }
                    default -> {
                    }
                }
                parser.skipChildren();
            }
            JsonToken after = parser.nextToken();
            if (after != null) {
                report(line, INVALID_JSON, "unexpected " + describe(after) + " after the JSON object at column "
                        + parser.currentLocation().getColumnNr() + "; one request per line", null);
                return false;
            }
            return true;
        }

        private boolean duplicateField(String name) {
            report(line, INVALID_JSON, "field \"" + name + "\" appears more than once", name);
            return false;
        }

        private void readBody(JsonParser parser) throws IOException {
            JsonToken token;
            while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                token = parser.nextToken();
                boolean present = token != JsonToken.VALUE_NULL;
                switch (name) {
                    case "model" -> {
                        modelToken = token;
                        model = token == JsonToken.VALUE_STRING ? parser.getText() : null;
                    }
                    case "stream" -> streamToken = token;
                    case "messages" -> bodyFields |= present ? BODY_HAS_MESSAGES : 0;
                    case "input" -> bodyFields |= present ? BODY_HAS_INPUT : 0;
                    case "prompt" -> bodyFields |= present ? BODY_HAS_PROMPT : 0;
                    default -> {
                    }
                }
                parser.skipChildren();
            }
        }

        private void checkCustomId() {
            if (customIdToken == null || customIdToken == JsonToken.VALUE_NULL) {
                report(line, MISSING_CUSTOM_ID, "custom_id is missing; every request needs a unique custom_id",
                        "custom_id");
            } else if (customId == null) {
                report(line, INVALID_CUSTOM_ID, "custom_id must be a string, found " + describe(customIdToken),
                        "custom_id");
            } else if (customId.isEmpty()) {
                report(line, INVALID_CUSTOM_ID, "custom_id must not be empty", "custom_id");
            } else if (customId.length() > MAX_CUSTOM_ID_CHARS) {
                report(line, INVALID_CUSTOM_ID, "custom_id is " + customId.length()
                        + " characters long; at most " + MAX_CUSTOM_ID_CHARS + " are allowed", "custom_id");
            } else if (requests <= profile.fileRequestLimit()) {
                int earlier = customIds.addIfAbsent(customId, line);
                if (earlier != 0) {
                    report(line, DUPLICATE_CUSTOM_ID, "custom_id \"" + abbreviate(customId)
                            + "\" is already used on line " + earlier, "custom_id");
                }
            }
        }

        private void checkMethod() {
            if (method == null) {
                report(line, INVALID_METHOD, methodToken == null ? "method is missing; expected \"POST\""
                        : "method must be \"POST\", found " + describe(methodToken), "method");
            } else if (!method.equals("POST")) {
                report(line, INVALID_METHOD, "method must be \"POST\", found \"" + abbreviate(method) + "\"",
                        "method");
            }
        }

        /** The line's endpoint when it is one of the profile's, else null (problem reported). */
        private Endpoint checkUrl() {
            if (url == null) {
                report(line, INVALID_URL, urlToken == null ? "url is missing; expected one of "
                        + profile.endpointPaths() : "url must be a string, found " + describe(urlToken), "url");
                return null;
            }
            Endpoint endpoint = Endpoint.fromPath(url).filter(profile.endpoints()::contains).orElse(null);
            if (endpoint == null) {
                report(line, INVALID_URL, "url \"" + abbreviate(url) + "\" is not an endpoint of profile "
                        + profile.name() + "; expected one of " + profile.endpointPaths(), "url");
                return null;
            }
            if (firstUrl == null) {
                firstUrl = url;
                firstUrlLine = line;
            } else if (!firstUrl.equals(url)) {
                report(line, MISMATCHED_URL, "url \"" + url + "\" differs from \"" + firstUrl + "\" on line "
                        + firstUrlLine + "; every line of a batch targets one endpoint", "url");
            }
            return endpoint;
        }

        private void checkBody(Endpoint endpoint) {
            if (bodyToken != JsonToken.START_OBJECT) {
                report(line, MISSING_BODY, bodyToken == null || bodyToken == JsonToken.VALUE_NULL
                        ? "body is missing; expected the request object" : "body must be an object, found "
                        + describe(bodyToken), "body");
                return;
            }
            checkModel();
            if (streamToken != null && streamToken != JsonToken.VALUE_FALSE && streamToken != JsonToken.VALUE_NULL) {
                report(line, STREAM_NOT_SUPPORTED, "body.stream must be false or absent in a batch, found "
                        + describe(streamToken), "body.stream");
            }
            if (endpoint != null && (bodyFields & requiredFieldBit(endpoint)) == 0) {
                report(line, MISSING_REQUIRED_FIELD, "body." + endpoint.requiredBodyField() + " is required for "
                        + endpoint.path(), "body." + endpoint.requiredBodyField());
            }
        }

        private void checkModel() {
            if (model == null || model.isEmpty()) {
                report(line, MISSING_MODEL, modelToken == null || modelToken == JsonToken.VALUE_NULL
                        ? "body.model is missing" : "body.model must be a non-empty string, found "
                        + (model == null ? describe(modelToken) : "\"\""), "body.model");
                return;
            }
            if (firstModel == null) {
                firstModel = model;
                firstModelLine = line;
            } else if (!firstModel.equals(model)) {
                severalModels = true;
                if (profile.oneModelPerFile()) {
                    report(line, MIXED_MODELS, "body.model \"" + abbreviate(model) + "\" differs from \""
                            + abbreviate(firstModel) + "\" on line " + firstModelLine + "; profile "
                            + profile.name() + " takes one model per file", "body.model");
                }
            }
        }

        private void report(Integer at, ValidationCode code, String message, String param) {
            issues.add(at, code, message, param);
        }
    }

    private static int requiredFieldBit(Endpoint endpoint) {
        return switch (endpoint.requiredBodyField()) {
            case "messages" -> BODY_HAS_MESSAGES;
            case "prompt" -> BODY_HAS_PROMPT;
            default -> BODY_HAS_INPUT;
        };
    }

    private static boolean isBlank(byte[] array, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            byte b = array[i];
            if (b != ' ' && b != '\t' && b != '\r') {
                return false;
            }
        }
        return true;
    }

    private static String describe(JsonToken token) {
        if (token == null) {
            return "nothing";
        }
        return switch (token) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE -> "true";
            case VALUE_FALSE -> "false";
            case VALUE_NULL -> "null";
            default -> token.asString() == null ? token.name() : token.asString();
        };
    }

    /** Jackson names the (redacted) input inside its locations; the line number already says where. */
    private static String withoutSource(String message) {
        return message.replaceAll("\\[Source: [^;\\]]*; ", "[");
    }

    private static String abbreviate(String value) {
        return value.length() <= 80 ? value : value.substring(0, 77) + "...";
    }
}
