package dev.batchline.operate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.batchline.config.AwsClients;
import dev.batchline.config.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.cloudformation.model.CloudFormationException;
import software.amazon.awssdk.services.cloudformation.model.DescribeStacksRequest;
import software.amazon.awssdk.services.cloudformation.model.DescribeStacksResponse;
import software.amazon.awssdk.services.cloudformation.model.Output;

/** How a deployed stack is found from its outputs: CloudFormation (a fake of its client) or a cdk outputs file. */
class StackOutputsTest {

    private static final Map<String, String> OUTPUTS = Map.of(Stack.BUCKET_OUTPUT, "batchline-bucket-1a2b",
            Stack.TABLE_OUTPUT, "Batchline-JobsTable-9Z", Stack.EVENTS_OUTPUT,
            "https://sqs.eu-west-1.amazonaws.com/123456789012/events", "AlarmTopicArn", "arn:aws:sns:topic");

    @TempDir
    Path directory;

    /** DescribeStacks answers the named stack's outputs, and CloudFormation's 400 for any other name. */
    private static final class FakeCloudFormation implements CloudFormationClient {
        final List<String> asked = new java.util.ArrayList<>();

        @Override
        public DescribeStacksResponse describeStacks(DescribeStacksRequest request) {
            asked.add(request.stackName());
            if (!"Batchline".equals(request.stackName())) {
                throw (CloudFormationException) CloudFormationException.builder().statusCode(400)
                        .message("Stack with id " + request.stackName() + " does not exist")
                        .awsErrorDetails(AwsErrorDetails.builder().errorCode("ValidationError").build()).build();
            }
            return DescribeStacksResponse.builder().stacks(stack -> stack.stackName("Batchline").outputs(
                    OUTPUTS.entrySet().stream().map(output -> Output.builder().outputKey(output.getKey())
                            .outputValue(output.getValue()).build()).toList())).build();
        }

        @Override
        public String serviceName() {
            return "cloudformation";
        }

        @Override
        public void close() {
        }
    }

    @Test
    void cloudFormation_findsTheBucketTableAndQueueOfTheNamedStack_andSaysWhenThereIsNone() {
        FakeCloudFormation cloudFormation = new FakeCloudFormation();
        AwsClients clients = AwsClients.fromEnvironment();

        Stack stack = StackOutputs.resolve("Batchline", StackOutputs.cloudFormation(cloudFormation), clients);

        assertThat(stack.bucket()).isEqualTo("batchline-bucket-1a2b");
        assertThat(stack.table()).isEqualTo("Batchline-JobsTable-9Z");
        assertThat(stack.eventsQueueUrl()).endsWith("/events");
        assertThat(stack.defaultProfile()).isEqualTo(Stack.DEPLOYED_DEFAULT_PROFILE);
        assertThat(cloudFormation.asked).containsExactly("Batchline");
        assertThatThrownBy(() -> StackOutputs.resolve("Batchlin", StackOutputs.cloudFormation(cloudFormation),
                clients)).isInstanceOf(StackNotFoundException.class).hasMessageContaining("no stack named Batchlin");
    }

    @Test
    void outputsFile_asCdkDeployWritesIt_findsTheStackByName() throws Exception {
        Path file = directory.resolve("outputs.json");
        Files.writeString(file, Json.mapper().writeValueAsString(Map.of("Batchline", OUTPUTS,
                "Other", Map.of(Stack.BUCKET_OUTPUT, "other-bucket"))));

        Stack stack = StackOutputs.resolve("Batchline", StackOutputs.outputsFile(file, Json.mapper()),
                AwsClients.fromEnvironment());

        assertThat(stack.bucket()).isEqualTo("batchline-bucket-1a2b");
        assertThat(StackOutputs.outputsFile(file, Json.mapper()).outputs("Missing")).isEmpty();
    }

    @Test
    void aStackWithoutBatchlinesOutputs_isRefusedNamingTheOutput() {
        StackOutputs.Source other = name -> Optional.of(Map.of(Stack.BUCKET_OUTPUT, "some-bucket"));

        assertThatThrownBy(() -> StackOutputs.resolve("Batchline", other, AwsClients.fromEnvironment()))
                .isInstanceOf(StackNotFoundException.class).hasMessageContaining(Stack.TABLE_OUTPUT);
    }
}
