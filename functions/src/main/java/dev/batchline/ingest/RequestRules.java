package dev.batchline.ingest;

import static dev.batchline.ingest.ValidationCode.INVALID_METHOD;
import static dev.batchline.ingest.ValidationCode.INVALID_URL;
import static dev.batchline.ingest.ValidationCode.MISMATCHED_URL;
import static dev.batchline.ingest.ValidationCode.MISSING_BODY;
import static dev.batchline.ingest.ValidationCode.MISSING_MODEL;
import static dev.batchline.ingest.ValidationCode.MISSING_REQUIRED_FIELD;
import static dev.batchline.ingest.ValidationCode.MIXED_MODELS;
import static dev.batchline.ingest.ValidationCode.STREAM_NOT_SUPPORTED;

import com.fasterxml.jackson.core.JsonToken;
import dev.batchline.provider.Endpoint;
import dev.batchline.provider.ProviderProfile;
import java.nio.charset.StandardCharsets;

/**
 * The rules a request line's method, url and body must follow, and what every line of a file must
 * agree on (one url; one model where the profile says so). The first url and model are kept as
 * text and as UTF-8, so the lines that repeat them are recognised from their raw bytes.
 */
final class RequestRules {

    private static final char[] POST = "POST".toCharArray();

    private final ProviderProfile profile;
    private final IssueCollector issues;
    private String firstUrl;
    private char[] firstUrlChars;
    private byte[] firstUrlBytes;
    private Endpoint firstEndpoint;
    private int firstUrlLine;
    private String firstModel;
    private char[] firstModelChars;
    private byte[] firstModelBytes;
    private int firstModelLine;
    private boolean severalModels;

    RequestRules(ProviderProfile profile, IssueCollector issues) {
        this.profile = profile;
        this.issues = issues;
    }

    /** The url of the file's first valid line; null before one. */
    String firstUrl() {
        return firstUrl;
    }

    /** The file's one model; null when there are several, or none yet. */
    String model() {
        return severalModels ? null : firstModel;
    }

    byte[] expectedUrl() {
        return firstUrlBytes;
    }

    byte[] expectedModel() {
        return firstModelBytes;
    }

    /** The rules of one request line's method, url and body, and the file's agreement on url and model. */
    void check(int line, RequestFields fields) {
        checkMethod(line, fields.method);
        Endpoint endpoint = checkUrl(line, fields.url);
        checkBody(line, fields, endpoint);
    }

    private void checkMethod(int line, FieldText method) {
        if (!method.isString()) {
            report(line, INVALID_METHOD, method.token == null ? "method is missing; expected \"POST\""
                    : "method must be \"POST\", found " + RequestFields.describe(method.token), "method");
        } else if (!method.sameAs(POST)) {
            report(line, INVALID_METHOD, "method must be \"POST\", found \"" + abbreviate(method.toString())
                    + "\"", "method");
        }
    }

    /** The line's endpoint when it is one of the profile's, else null (problem reported). */
    private Endpoint checkUrl(int line, FieldText url) {
        if (url.sameAs(firstUrlChars)) {
            return firstEndpoint;
        }
        if (!url.isString()) {
            report(line, INVALID_URL, url.token == null ? "url is missing; expected one of " + profile.endpointPaths()
                    : "url must be a string, found " + RequestFields.describe(url.token), "url");
            return null;
        }
        String path = url.toString();
        Endpoint endpoint = Endpoint.fromPath(path).filter(profile.endpoints()::contains).orElse(null);
        if (endpoint == null) {
            report(line, INVALID_URL, "url \"" + abbreviate(path) + "\" is not an endpoint of profile "
                    + profile.name() + "; expected one of " + profile.endpointPaths(), "url");
            return null;
        }
        if (firstUrl == null) {
            firstUrl = path;
            firstUrlChars = path.toCharArray();
            firstUrlBytes = rawBytes(path);
            firstEndpoint = endpoint;
            firstUrlLine = line;
        } else {
            report(line, MISMATCHED_URL, "url \"" + path + "\" differs from \"" + firstUrl + "\" on line "
                    + firstUrlLine + "; every line of a batch targets one endpoint", "url");
        }
        return endpoint;
    }

    private void checkBody(int line, RequestFields fields, Endpoint endpoint) {
        JsonToken bodyToken = fields.bodyToken;
        JsonToken streamToken = fields.streamToken;
        if (bodyToken != JsonToken.START_OBJECT) {
            report(line, MISSING_BODY, bodyToken == null || bodyToken == JsonToken.VALUE_NULL
                    ? "body is missing; expected the request object" : "body must be an object, found "
                    + RequestFields.describe(bodyToken), "body");
            return;
        }
        checkModel(line, fields.model);
        if (streamToken != null && streamToken != JsonToken.VALUE_FALSE && streamToken != JsonToken.VALUE_NULL) {
            report(line, STREAM_NOT_SUPPORTED, "body.stream must be false or absent in a batch, found "
                    + RequestFields.describe(streamToken), "body.stream");
        }
        if (endpoint != null && !fields.hasRequiredField(endpoint)) {
            report(line, MISSING_REQUIRED_FIELD, "body." + endpoint.requiredBodyField() + " is required for "
                    + endpoint.path(), "body." + endpoint.requiredBodyField());
        }
    }

    private void checkModel(int line, FieldText model) {
        if (model.sameAs(firstModelChars)) {
            return;
        }
        if (!model.isString() || model.isEmpty()) {
            report(line, MISSING_MODEL, model.token == null || model.token == JsonToken.VALUE_NULL
                    ? "body.model is missing" : "body.model must be a non-empty string, found "
                    + (model.isString() ? "\"\"" : RequestFields.describe(model.token)), "body.model");
            return;
        }
        String name = model.toString();
        if (firstModel == null) {
            firstModel = name;
            firstModelChars = name.toCharArray();
            firstModelBytes = rawBytes(name);
            firstModelLine = line;
            return;
        }
        severalModels = true;
        if (profile.oneModelPerFile()) {
            report(line, MIXED_MODELS, "body.model \"" + abbreviate(name) + "\" differs from \""
                    + abbreviate(firstModel) + "\" on line " + firstModelLine + "; profile "
                    + profile.name() + " takes one model per file", "body.model");
        }
    }

    /**
     * The UTF-8 a line holds between the quotes when it writes {@code value} without escapes; null
     * when the value has a character that must be escaped, so raw bytes equal to it could be other text.
     */
    private static byte[] rawBytes(String value) {
        return value.chars().anyMatch(c -> c == '"' || c == '\\' || c < 0x20) ? null
                : value.getBytes(StandardCharsets.UTF_8);
    }

    private void report(int line, ValidationCode code, String message, String param) {
        issues.add(line, code, message, param);
    }

    static String abbreviate(String value) {
        return value.length() <= 80 ? value : value.substring(0, 77) + "...";
    }
}
