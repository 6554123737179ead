package dev.batchline.config;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * The one place SDK clients are built, for the functions, the local runtime and the tests alike:
 * on the URL-connection HTTP client (the smallest cold start), with time-outs on every call, against
 * AWS as the standard environment says ({@link #fromEnvironment()}: {@code AWS_REGION},
 * {@code AWS_ENDPOINT_URL_S3}, ...) or against given {@link Endpoints} (emulators), and with the
 * {@linkplain #withInterceptor interceptors} given, the hook through which tests inject faults and
 * record calls.
 */
public final class AwsClients {

    /** Where emulated services listen, and the region and static credentials to call them with. */
    public record Endpoints(Region region, String accessKeyId, String secretAccessKey, URI s3, URI dynamo,
            URI sqs) {
    }

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration CALL_TIMEOUT = Duration.ofMinutes(2);
    /**
     * Attempts of one call. Parallel finalizes share a prefix's 3,500 PUTs a second, and S3 answers
     * past it with 503 SlowDown: throttling waits grow from 1 s to 20 s (with jitter), about a
     * minute in all, without the retry quota that would stop retrying when many calls throttle at once.
     */
    static final int MAX_ATTEMPTS = 8;

    private final Endpoints endpoints;
    private final URI stepFunctions;
    private final List<ExecutionInterceptor> interceptors;
    private final SdkHttpClient offline;

    private AwsClients(Endpoints endpoints, URI stepFunctions, List<ExecutionInterceptor> interceptors,
            SdkHttpClient offline) {
        this.endpoints = endpoints;
        this.stepFunctions = stepFunctions;
        this.interceptors = List.copyOf(interceptors);
        this.offline = offline;
    }

    /**
     * Clients configured as Lambda's, with static credentials and their requests answered by
     * {@code http} instead of the network: the SDK's whole path runs (marshalling, signing,
     * endpoint rules, unmarshalling) and no socket opens. For warming a snapshot.
     */
    public static AwsClients offline(SdkHttpClient http, Region region) {
        return new AwsClients(new Endpoints(region, "offline", "offline", null, null, null), null, List.of(), http);
    }

    /** Clients as Lambda builds them: region, credentials and any endpoint from the environment. */
    public static AwsClients fromEnvironment() {
        return new AwsClients(null, null, List.of(), null);
    }

    /** Clients of the services at {@code endpoints}. */
    public static AwsClients forEndpoints(Endpoints endpoints) {
        return new AwsClients(endpoints, null, List.of(), null);
    }

    /** These clients, each call also going through {@code interceptor}. */
    public AwsClients withInterceptor(ExecutionInterceptor interceptor) {
        List<ExecutionInterceptor> more = new ArrayList<>(interceptors);
        more.add(interceptor);
        return new AwsClients(endpoints, stepFunctions, more, offline);
    }

    /** These clients, Step Functions served at {@code endpoint} (the local workflow's). */
    public AwsClients withStepFunctions(URI endpoint) {
        return new AwsClients(endpoints, endpoint, interceptors, offline);
    }

    public S3Client s3() {
        // Emulators serve buckets by path, not by virtual host.
        boolean emulated = endpoints != null && endpoints.s3() != null || System.getenv("AWS_ENDPOINT_URL_S3") != null
                || System.getenv("AWS_ENDPOINT_URL") != null;
        return configure(S3Client.builder().httpClient(http()), endpoints == null ? null : endpoints.s3())
                .forcePathStyle(emulated).build();
    }

    public DynamoDbClient dynamo() {
        return configure(DynamoDbClient.builder().httpClient(http()), endpoints == null ? null : endpoints.dynamo())
                .build();
    }

    public SqsClient sqs() {
        return configure(SqsClient.builder().httpClient(http()), endpoints == null ? null : endpoints.sqs()).build();
    }

    public SecretsManagerClient secretsManager() {
        return configure(SecretsManagerClient.builder().httpClient(http()), null).build();
    }

    public SsmClient ssm() {
        return configure(SsmClient.builder().httpClient(http()), null).build();
    }

    public SfnClient sfn() {
        return configure(SfnClient.builder().httpClient(http()), stepFunctions).build();
    }

    private <B extends AwsClientBuilder<B, ?>> B configure(B builder, URI endpoint) {
        builder.overrideConfiguration(ClientOverrideConfiguration.builder().apiCallTimeout(CALL_TIMEOUT)
                .retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder().maxAttempts(MAX_ATTEMPTS)
                        .circuitBreakerEnabled(false)
                        .throttlingBackoffStrategy(BackoffStrategy.exponentialDelay(Duration.ofSeconds(1),
                                Duration.ofSeconds(20)))
                        .build())
                .executionInterceptors(interceptors).build());
        if (endpoints != null) {
            builder.region(endpoints.region()).credentialsProvider(StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(endpoints.accessKeyId(), endpoints.secretAccessKey())));
        }
        if (endpoint != null) {
            builder.endpointOverride(endpoint);
        }
        return builder;
    }

    private SdkHttpClient http() {
        if (offline != null) {
            return offline;
        }
        return UrlConnectionHttpClient.builder()
                .connectionTimeout(CONNECT_TIMEOUT)
                .socketTimeout(SOCKET_TIMEOUT)
                .build();
    }
}
