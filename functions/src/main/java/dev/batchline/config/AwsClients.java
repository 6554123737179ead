package dev.batchline.config;

import java.time.Duration;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * The SDK clients of one Lambda container, built once on the URL-connection HTTP client (the
 * smallest cold start). Region, credentials and endpoints come from the standard environment
 * ({@code AWS_REGION}, {@code AWS_ENDPOINT_URL_S3}, ...), which is how local runs reach emulators.
 */
public final class AwsClients {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration CALL_TIMEOUT = Duration.ofMinutes(2);

    private AwsClients() {
    }

    private static SdkHttpClient http() {
        return UrlConnectionHttpClient.builder()
                .connectionTimeout(CONNECT_TIMEOUT)
                .socketTimeout(SOCKET_TIMEOUT)
                .build();
    }

    private static ClientOverrideConfiguration timeouts() {
        return ClientOverrideConfiguration.builder().apiCallTimeout(CALL_TIMEOUT).build();
    }

    public static S3Client s3() {
        // Emulators serve buckets by path, not by virtual host.
        boolean emulated = System.getenv("AWS_ENDPOINT_URL_S3") != null || System.getenv("AWS_ENDPOINT_URL") != null;
        return S3Client.builder().httpClient(http()).overrideConfiguration(timeouts())
                .forcePathStyle(emulated).build();
    }

    public static DynamoDbClient dynamo() {
        return DynamoDbClient.builder().httpClient(http()).overrideConfiguration(timeouts()).build();
    }

    public static SqsClient sqs() {
        return SqsClient.builder().httpClient(http()).overrideConfiguration(timeouts()).build();
    }

    public static SecretsManagerClient secretsManager() {
        return SecretsManagerClient.builder().httpClient(http()).overrideConfiguration(timeouts()).build();
    }

    public static SsmClient ssm() {
        return SsmClient.builder().httpClient(http()).overrideConfiguration(timeouts()).build();
    }

    public static SfnClient sfn() {
        return SfnClient.builder().httpClient(http()).overrideConfiguration(timeouts()).build();
    }
}
