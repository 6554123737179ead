package dev.batchline.testing;

import dev.batchline.config.AwsClients;
import dev.batchline.emulators.AwsEmulators;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Starts the AWS emulators once per test JVM (closed when the JVM's tests end) and hands tests
 * {@link AwsEmulators}, {@link S3Client}, {@link SqsClient} or {@link DynamoDbClient} parameters.
 */
public final class EmulatorExtension implements ParameterResolver {

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == AwsEmulators.class || type == S3Client.class || type == SqsClient.class
                || type == DynamoDbClient.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        AwsEmulators emulators = emulators(context);
        Class<?> type = parameter.getParameter().getType();
        if (type == S3Client.class) {
            return clients(emulators).s3();
        }
        if (type == SqsClient.class) {
            return clients(emulators).sqs();
        }
        if (type == DynamoDbClient.class) {
            return clients(emulators).dynamo();
        }
        return emulators;
    }

    /** The functions' own client factory, pointed at the emulators. */
    public static AwsClients clients(AwsEmulators emulators) {
        return AwsClients.forEndpoints(new AwsClients.Endpoints(AwsEmulators.REGION, AwsEmulators.ACCESS_KEY,
                AwsEmulators.SECRET_KEY, emulators.s3Endpoint(), emulators.dynamoEndpoint(), emulators.sqsEndpoint()));
    }

    private static AwsEmulators emulators(ExtensionContext context) {
        return context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(AwsEmulators.class, key -> new Running(), Running.class).emulators;
    }

    /** Closed by JUnit with the root store, after the last test of the JVM. */
    private static final class Running implements ExtensionContext.Store.CloseableResource, AutoCloseable {
        private final AwsEmulators emulators;

        Running() {
            try {
                emulators = AwsEmulators.start();
            } catch (Exception e) {
                throw new IllegalStateException("the AWS emulators did not start", e);
            }
        }

        @Override
        public void close() throws Exception {
            emulators.close();
        }
    }
}
