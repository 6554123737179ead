package dev.batchline.testing;

import dev.batchline.config.AwsClients;
import dev.batchline.emulators.AwsEmulators;
import java.net.URI;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.localstack.LocalStackContainer;
import org.testcontainers.utility.DockerImageName;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The one place the integration suites get their AWS endpoints from, started once per test JVM
 * (closed when its tests end), handing tests {@link S3Client}, {@link SqsClient} and
 * {@link DynamoDbClient} parameters (and {@link AwsEmulators} on the emulators). The backend is
 * the in-process emulators, or with {@code -Dbatchline.backend=localstack} LocalStack through
 * Testcontainers: where no Docker engine answers, that run is skipped with the reason (never failed,
 * never counted as passed), unless {@code -Dbatchline.localstack.force=true} insists.
 */
public final class EmulatorExtension implements ParameterResolver, ExecutionCondition {

    static final String BACKEND = "batchline.backend";
    static final String LOCALSTACK = "localstack";
    static final String FORCE = "batchline.localstack.force";
    /** Pinned: a newer LocalStack may answer differently. */
    static final String LOCALSTACK_IMAGE = "localstack/localstack:3.8.1";

    /**
     * On the LocalStack run: each suite is reported skipped, with the reason, where no Docker engine
     * answers (before any instance is made: some suites set up in their constructors), and a test
     * that drives the in-process emulators themselves is skipped where one does.
     */
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (!localStack()) {
            return ConditionEvaluationResult.enabled("on the in-process emulators");
        }
        if (localStackWithoutDocker()) {
            return ConditionEvaluationResult.disabled("the LocalStack run needs a Docker engine and none answers "
                    + "here (the same suite ran on the in-process emulators); -D" + FORCE + "=true insists");
        }
        if (context.getTestMethod().isPresent() && drivesTheEmulators(context)) {
            return ConditionEvaluationResult.disabled("drives the in-process emulators themselves (fault injection)");
        }
        return ConditionEvaluationResult.enabled("LocalStack is up");
    }

    private static boolean localStack() {
        return LOCALSTACK.equals(System.getProperty(BACKEND));
    }

    private static boolean drivesTheEmulators(ExtensionContext context) {
        java.util.stream.Stream<java.lang.reflect.Executable> executables = java.util.stream.Stream.concat(
                java.util.Arrays.stream(context.getRequiredTestClass().getDeclaredConstructors()),
                context.getTestMethod().stream());
        return executables.flatMap(executable -> java.util.Arrays.stream(executable.getParameterTypes()))
                .anyMatch(AwsEmulators.class::equals);
    }

    private static boolean localStackWithoutDocker() {
        return localStack() && !Boolean.getBoolean(FORCE) && !DockerClientFactory.instance().isDockerAvailable();
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == AwsEmulators.class || type == S3Client.class || type == SqsClient.class
                || type == DynamoDbClient.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        Backend backend = backend(context);
        if (type == AwsEmulators.class) {
            return backend.emulators(); // null on LocalStack, where such a test is skipped
        }
        AwsClients clients = AwsClients.forEndpoints(backend.endpoints());
        if (type == S3Client.class) {
            return clients.s3();
        }
        if (type == SqsClient.class) {
            return clients.sqs();
        }
        return clients.dynamo();
    }

    /** The functions' own client factory, pointed at the emulators. */
    public static AwsClients clients(AwsEmulators emulators) {
        return AwsClients.forEndpoints(endpoints(emulators));
    }

    private static AwsClients.Endpoints endpoints(AwsEmulators emulators) {
        return new AwsClients.Endpoints(AwsEmulators.REGION, AwsEmulators.ACCESS_KEY, AwsEmulators.SECRET_KEY,
                emulators.s3Endpoint(), emulators.dynamoEndpoint(), emulators.sqsEndpoint());
    }

    private static Backend backend(ExtensionContext context) {
        return context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(Backend.class, key -> localStackWithoutDocker() ? Backend.NONE
                        : localStack() ? Backend.onLocalStack() : Backend.onEmulators(), Backend.class);
    }

    /** What the suites talk to; closed by JUnit with the root store, after the last test of the JVM. */
    private record Backend(AwsClients.Endpoints endpoints, AwsEmulators emulators, LocalStackContainer container)
            implements ExtensionContext.Store.CloseableResource {

        /** No backend: where LocalStack cannot run, clients that are never called (the suites are skipped). */
        static final Backend NONE = new Backend(new AwsClients.Endpoints(AwsEmulators.REGION, "none", "none",
                URI.create("http://127.0.0.1:9"), URI.create("http://127.0.0.1:9"), URI.create("http://127.0.0.1:9")),
                null, null);

        static Backend onEmulators() {
            try {
                AwsEmulators emulators = AwsEmulators.start();
                return new Backend(EmulatorExtension.endpoints(emulators), emulators, null);
            } catch (Exception e) {
                throw new IllegalStateException("the AWS emulators did not start", e);
            }
        }

        @SuppressWarnings("resource") // closed with the store
        static Backend onLocalStack() {
            LocalStackContainer container = new LocalStackContainer(DockerImageName.parse(LOCALSTACK_IMAGE))
                    .withServices(LocalStackContainer.Service.S3, LocalStackContainer.Service.DYNAMODB,
                            LocalStackContainer.Service.SQS);
            container.start();
            URI endpoint = container.getEndpoint();
            return new Backend(new AwsClients.Endpoints(Region.of(container.getRegion()), container.getAccessKey(),
                    container.getSecretKey(), endpoint, endpoint, endpoint), null, container);
        }

        @Override
        public void close() throws Exception {
            if (emulators != null) {
                emulators.close();
            }
            if (container != null) {
                container.stop();
            }
        }
    }
}
