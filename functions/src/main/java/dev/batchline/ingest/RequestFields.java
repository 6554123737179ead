package dev.batchline.ingest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.batchline.provider.Endpoint;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The fields of the request line being validated, read in one pass over its tokens and reused for
 * every line: only what the rules look at is kept ({@code custom_id}, {@code method}, {@code url},
 * {@code body.model}, {@code body.stream}, which required body fields are present, a repeated
 * field); everything else is skipped as the parser skips it.
 */
final class RequestFields {

    static final byte[] POST_BYTES = "POST".getBytes(StandardCharsets.UTF_8);
    static final int BODY_HAS_MESSAGES = 1;
    static final int BODY_HAS_INPUT = 2;
    static final int BODY_HAS_PROMPT = 4;

    final FieldText customId = new FieldText();
    final FieldText method = new FieldText();
    final FieldText url = new FieldText();
    final FieldText model = new FieldText();
    JsonToken bodyToken;
    JsonToken streamToken;
    String repeatedField;
    private int bodyFields;

    // What the parser parses, and the model most lines repeat, while a line is read.
    private byte[] chunk;
    private int from;
    private int to;
    private byte[] expectedModel;

    /**
     * Reads the fields of a request object, up to and including its closing brace.
     * {@code chunk[from, to)} is what the parser parses; {@code expectedUrl} and
     * {@code expectedModel} the UTF-8 of the values most lines repeat, compared raw.
     */
    void read(JsonParser parser, byte[] chunk, int from, int to, byte[] expectedUrl, byte[] expectedModel)
            throws IOException {
        this.chunk = chunk;
        this.from = from;
        this.to = to;
        this.expectedModel = expectedModel;
        clear();
        JsonToken token;
        while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            token = parser.nextToken();
            switch (name) {
                case "custom_id" -> readOnce(parser, token, customId, name, null);
                case "method" -> readOnce(parser, token, method, name, POST_BYTES);
                case "url" -> readOnce(parser, token, url, name, expectedUrl);
                case "body" -> {
                    if (bodyToken != null) {
                        repeatedField = name;
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
    }

    /** Forgets the previous line's fields. */
    void clear() {
        customId.clear();
        method.clear();
        url.clear();
        model.clear();
        bodyToken = null;
        streamToken = null;
        bodyFields = 0;
        repeatedField = null;
    }

    /** The body has one of the fields an endpoint may require ({@link #BODY_HAS_MESSAGES}, ...), not null. */
    void present(int bodyField) {
        bodyFields |= bodyField;
    }

    private void readOnce(JsonParser parser, JsonToken token, FieldText field, String name, byte[] wanted)
            throws IOException {
        if (field.token != null) {
            repeatedField = name;
        }
        field.read(parser, token, wanted, chunk, from, to);
    }

    private void readBody(JsonParser parser) throws IOException {
        JsonToken token;
        while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            token = parser.nextToken();
            boolean present = token != JsonToken.VALUE_NULL;
            switch (name) {
                case "model" -> model.read(parser, token, expectedModel, chunk, from, to);
                case "stream" -> streamToken = token;
                case "messages" -> present(present ? BODY_HAS_MESSAGES : 0);
                case "input" -> present(present ? BODY_HAS_INPUT : 0);
                case "prompt" -> present(present ? BODY_HAS_PROMPT : 0);
                default -> {
                }
            }
            parser.skipChildren();
        }
    }

    /** Whether the body has the field {@code endpoint} requires. */
    boolean hasRequiredField(Endpoint endpoint) {
        return (bodyFields & requiredFieldBit(endpoint)) != 0;
    }

    private static int requiredFieldBit(Endpoint endpoint) {
        return switch (endpoint.requiredBodyField()) {
            case "messages" -> BODY_HAS_MESSAGES;
            case "prompt" -> BODY_HAS_PROMPT;
            default -> BODY_HAS_INPUT;
        };
    }

    /** A token as a problem report names it: "an object", "a number", "null". */
    static String describe(JsonToken token) {
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
}
