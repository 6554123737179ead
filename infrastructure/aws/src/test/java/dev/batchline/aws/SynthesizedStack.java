package dev.batchline.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.Map;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.assertions.Template;

/**
 * The stack as the tests synthesise it (offline, CDK assertions): an account, a region, two
 * profiles whose keys are in Secrets Manager and SSM, failure events only, an alarm address.
 */
final class SynthesizedStack {

    static final String ACCOUNT = "123456789012";
    static final String REGION = "eu-west-1";
    static final String OPENAI_SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:batchline/openai";
    static final Path ROOT = Path.of(System.getProperty("batchline.root", "../..")).toAbsolutePath().normalize();
    static final Map<String, Object> CONTEXT = Map.of("batchline:profiles", "{\"openai\": {\"apiKeyRef\": \""
            + OPENAI_SECRET + "\"}, \"nebius\": {\"apiKeyRef\": \"ssm:/batchline/nebius\"}}",
            "batchline:recordEvents", "failures", "batchline:alarmEmail", "oncall@example.com");

    private SynthesizedStack() {
    }

    static BatchlineStack stack(Map<String, Object> context) {
        StackSettings settings = StackSettings.fromContext(context::get, ROOT);
        return new BatchlineStack(new App(), "Batchline", StackProps.builder()
                .env(Environment.builder().account(ACCOUNT).region(REGION).build()).build(), settings);
    }

    static Template template() {
        return Template.fromStack(stack(CONTEXT));
    }

    /** The template as CloudFormation reads it. */
    static JsonNode json(Template template) {
        return new ObjectMapper().valueToTree(template.toJSON());
    }
}
