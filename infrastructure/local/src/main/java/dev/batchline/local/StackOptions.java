package dev.batchline.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchline.config.AwsClients;
import dev.batchline.operate.LocalStackState;
import dev.batchline.operate.Stack;
import dev.batchline.operate.StackNotFoundException;
import dev.batchline.operate.StackOutputs;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;

/** Which stack a command operates: the local one, or a deployed one found by its outputs. */
final class StackOptions {

    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

    @Option(names = "--local", description = "the local stack (./batchline local start) of this folder")
    boolean local;

    @Mixin
    LocalDirectoryOption localDirectory;

    @Option(names = "--stack", paramLabel = "NAME", defaultValue = "${env:BATCHLINE_STACK:-Batchline}",
            description = "the deployed stack, found through CloudFormation with the standard AWS credential and "
                    + "region chain (default: ${DEFAULT-VALUE})")
    String stackName;

    @Option(names = "--outputs-file", paramLabel = "FILE",
            description = "read the stack's outputs from this file (cdk deploy --outputs-file) instead of CloudFormation")
    Path outputsFile;

    Stack resolve(ObjectMapper mapper) throws IOException {
        if (local) {
            return LocalStackState.readLive(localDirectory.directory(), mapper)
                    .orElseThrow(() -> new StackNotFoundException("no local stack is up in " + localDirectory.directory()
                            + ": start one with ./batchline local start --detach"))
                    .stack();
        }
        if (outputsFile != null) {
            return StackOutputs.resolve(stackName, StackOutputs.outputsFile(outputsFile, mapper),
                    AwsClients.fromEnvironment());
        }
        try (CloudFormationClient cloudFormation = CloudFormationClient.builder()
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> c.apiCallTimeout(CALL_TIMEOUT)).build()) {
            return StackOutputs.resolve(stackName, StackOutputs.cloudFormation(cloudFormation),
                    AwsClients.fromEnvironment());
        }
    }
}
