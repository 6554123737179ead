package dev.batchline.lambda;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An error as a state machine's Catch records it ({@code {"Error", "Cause"}}). For a Lambda
 * function's exception the cause is itself JSON ({@code errorMessage}, {@code errorType},
 * {@code stackTrace}); records and manifests keep its message, not the stack.
 */
public record CaughtError(@JsonProperty("Error") String error, @JsonProperty("Cause") String cause) {

    /** Anything that reads as a credential: a bearer token, or a key of the {@code sk-} form. */
    private static final Pattern CREDENTIAL = Pattern.compile("(?i)(bearer\\s+)\\S+|\\bsk-[A-Za-z0-9_-]{8,}");

    /**
     * The cause as a reader wants it: the exception's message when it is one, else as it came, with
     * anything that reads as a credential masked (the cause goes into records, DynamoDB and logs).
     */
    public String causeMessage(ObjectMapper mapper) {
        return CREDENTIAL.matcher(unmasked(mapper)).replaceAll(match -> match.group(1) != null
                ? Matcher.quoteReplacement(match.group(1)) + "***" : "sk-***");
    }

    private String unmasked(ObjectMapper mapper) {
        if (cause == null) {
            return "";
        }
        try {
            JsonNode parsed = mapper.readTree(cause);
            if (parsed != null && parsed.path("errorMessage").isTextual()) {
                return parsed.path("errorMessage").asText();
            }
        } catch (java.io.IOException notJson) {
            // Step Functions' own errors (States.Timeout, say) carry plain text.
        }
        // The local engine (aws-local-stepfunctions) gives a Lambda error's cause as "Type: message".
        String typed = error + ": ";
        return cause.startsWith(typed) ? cause.substring(typed.length()) : cause;
    }

    /** Error and cause in one line, for a record's message. */
    public String describe(ObjectMapper mapper) {
        String message = causeMessage(mapper);
        return message.isEmpty() ? String.valueOf(error) : error + ": " + message;
    }
}
