package dev.batchline.operate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchline.config.AwsClients;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.cloudformation.model.CloudFormationException;
import software.amazon.awssdk.services.cloudformation.model.Output;

/** Finds a deployed stack from its CloudFormation outputs. */
public final class StackOutputs {

    /** Where a stack's outputs are read from: CloudFormation, or a file {@code cdk deploy} wrote. */
    @FunctionalInterface
    public interface Source {
        /** The stack's outputs by key, or empty when there is no such stack. */
        Optional<Map<String, String>> outputs(String stackName);
    }

    private StackOutputs() {
    }

    /** The stack named {@code stackName}, its clients from the standard credential and region chain. */
    public static Stack resolve(String stackName, Source source, AwsClients clients) {
        Map<String, String> outputs = source.outputs(stackName).orElseThrow(() -> new StackNotFoundException(
                "no stack named " + stackName + " (deploy it with cdk deploy, or name it with --stack)"));
        return new Stack(stackName, clients, required(outputs, stackName, Stack.BUCKET_OUTPUT),
                required(outputs, stackName, Stack.TABLE_OUTPUT), outputs.get(Stack.EVENTS_OUTPUT),
                Stack.DEPLOYED_DEFAULT_PROFILE, null);
    }

    private static String required(Map<String, String> outputs, String stackName, String key) {
        String value = outputs.get(key);
        if (value == null || value.isBlank()) {
            throw new StackNotFoundException("stack " + stackName + " has no output " + key
                    + ": is it a Batchline stack, deployed from this version?");
        }
        return value;
    }

    /** CloudFormation's DescribeStacks. */
    public static Source cloudFormation(CloudFormationClient cloudFormation) {
        return stackName -> {
            try {
                return cloudFormation.describeStacks(r -> r.stackName(stackName)).stacks().stream().findFirst()
                        .map(stack -> {
                            Map<String, String> outputs = new LinkedHashMap<>();
                            for (Output output : stack.outputs()) {
                                outputs.put(output.outputKey(), output.outputValue());
                            }
                            return outputs;
                        });
            } catch (CloudFormationException e) {
                // CloudFormation says a missing stack with a 400 ValidationError "does not exist".
                if (e.statusCode() == 400 && String.valueOf(e.getMessage()).contains("does not exist")) {
                    return Optional.empty();
                }
                throw e;
            }
        };
    }

    /** The file {@code cdk deploy --outputs-file F} writes: {@code {"<stack>": {"<key>": "<value>"}}}. */
    public static Source outputsFile(Path file, ObjectMapper mapper) {
        return stackName -> {
            JsonNode all;
            try {
                all = mapper.readTree(file.toFile());
            } catch (IOException e) {
                throw new StackNotFoundException("cannot read the outputs file " + file + ": " + e.getMessage());
            }
            JsonNode stack = all.path(stackName);
            if (!stack.isObject()) {
                return Optional.empty();
            }
            Map<String, String> outputs = new LinkedHashMap<>();
            stack.fields().forEachRemaining(field -> outputs.put(field.getKey(), field.getValue().asText()));
            return Optional.of(outputs);
        };
    }
}
