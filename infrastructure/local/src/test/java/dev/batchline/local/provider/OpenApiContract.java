package dev.batchline.local.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.batchline.config.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The schemas of the OpenAI OpenAPI subset kept as a test resource ({@code openai-openapi/}, its
 * source and licence in the README beside it), as JSON Schema 2020-12 validators.
 */
final class OpenApiContract {

    static final String SUBSET = "/openai-openapi/openai-batch-files-subset.json";

    private final ObjectNode document;
    private final SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

    OpenApiContract() {
        try (InputStream in = OpenApiContract.class.getResourceAsStream(SUBSET)) {
            if (in == null) {
                throw new IllegalStateException("the test resource " + SUBSET + " is missing");
            }
            document = (ObjectNode) Json.mapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("reading the test resource " + SUBSET, e);
        }
    }

    /** Problems of {@code instance} as a {@code components.schemas.<name>}; nulls are dropped first. */
    List<String> violations(String name, JsonNode instance) {
        if (!document.path("components").path("schemas").has(name)) {
            throw new IllegalArgumentException("the subset has no schema " + name);
        }
        // The document itself becomes the schema, pointing at one of its components, so that the
        // components' own "#/components/..." references resolve.
        ObjectNode root = document.deepCopy();
        root.put("$ref", "#/components/schemas/" + name);
        Schema schema = registry.getSchema(root);
        List<Error> errors = schema.validate(withoutNulls(instance.deepCopy()));
        return errors.stream().map(Error::toString).toList();
    }

    /** The spec marks optional fields non-nullable while the API sends null for "absent". */
    private static JsonNode withoutNulls(JsonNode node) {
        if (node instanceof ObjectNode object) {
            Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                if (field.getValue().isNull()) {
                    fields.remove();
                } else {
                    withoutNulls(field.getValue());
                }
            }
        } else if (node instanceof ArrayNode array) {
            array.forEach(OpenApiContract::withoutNulls);
        }
        return node;
    }
}
