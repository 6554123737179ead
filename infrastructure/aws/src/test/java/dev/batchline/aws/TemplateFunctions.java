package dev.batchline.aws;

import com.fasterxml.jackson.databind.JsonNode;
import dev.batchline.lambda.BatchlineFunction;
import dev.batchline.local.runtime.LambdaSandbox;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The functions of a synthesised template as Lambda would run them: each one's {@code Handler},
 * {@code MemorySize}, {@code Timeout} and environment. A variable whose value refers to a resource
 * of the stack becomes {@code ${Output}}, the stack output holding the same value, which the local
 * stack fills with its own bucket, table, queue or state machine; one no output holds is an error.
 */
final class TemplateFunctions {

    private TemplateFunctions() {
    }

    static Map<BatchlineFunction, LambdaSandbox.Definition> definitions(JsonNode template) {
        Map<BatchlineFunction, LambdaSandbox.Definition> definitions = new EnumMap<>(BatchlineFunction.class);
        template.path("Resources").fields().forEachRemaining(resource -> {
            JsonNode properties = resource.getValue().path("Properties");
            if (!"AWS::Lambda::Function".equals(resource.getValue().path("Type").asText())
                    || !properties.path("Handler").asText().startsWith("dev.batchline.")) {
                return;
            }
            String handler = properties.path("Handler").asText();
            BatchlineFunction function = java.util.Arrays.stream(BatchlineFunction.values())
                    .filter(candidate -> candidate.handler().equals(handler)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException(resource.getKey() + " runs " + handler
                            + ", which no BatchlineFunction is"));
            Map<String, String> environment = new LinkedHashMap<>();
            properties.path("Environment").path("Variables").fields().forEachRemaining(variable ->
                    environment.put(variable.getKey(), value(template, resource.getKey(), variable.getKey(),
                            variable.getValue())));
            definitions.put(function, new LambdaSandbox.Definition(resource.getKey(), handler,
                    properties.path("MemorySize").asInt(), Duration.ofSeconds(properties.path("Timeout").asLong()),
                    environment));
        });
        return definitions;
    }

    private static String value(JsonNode template, String function, String name, JsonNode value) {
        if (value.isTextual()) {
            return value.asText();
        }
        var outputs = template.path("Outputs").fields();
        while (outputs.hasNext()) {
            var output = outputs.next();
            if (output.getValue().path("Value").equals(value)) {
                return "${" + output.getKey() + "}";
            }
        }
        throw new IllegalArgumentException(function + "'s " + name + " is " + value
                + ", which no output of the stack holds");
    }
}
