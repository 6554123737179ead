package dev.batchline.aws;

import java.nio.file.Path;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.StackProps;

/**
 * The CDK app: {@code npx aws-cdk synth} or {@code deploy} in {@code infrastructure/aws} after the
 * build. The account and region come from the CLI's credentials ({@code CDK_DEFAULT_*}); the
 * stack name from {@code -c batchline:stackName=...} (default {@code Batchline}).
 */
public final class BatchlineApp {

    private BatchlineApp() {
    }

    public static void main(String[] args) {
        App app = new App();
        Object root = app.getNode().tryGetContext("batchline:root");
        StackSettings settings = StackSettings.fromContext(app.getNode()::tryGetContext,
                root == null ? StackSettings.findRoot(Path.of("")) : Path.of(root.toString()));
        Object stackName = app.getNode().tryGetContext("batchline:stackName");
        new BatchlineStack(app, stackName == null ? "Batchline" : stackName.toString(), StackProps.builder()
                .env(Environment.builder().account(System.getenv("CDK_DEFAULT_ACCOUNT"))
                        .region(System.getenv("CDK_DEFAULT_REGION")).build())
                .description("Batchline: OpenAI-compatible batch jobs from files dropped in S3")
                .build(), settings);
        app.synth();
    }
}
