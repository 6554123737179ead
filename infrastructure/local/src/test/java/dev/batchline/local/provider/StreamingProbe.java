package dev.batchline.local.provider;

import dev.batchline.config.Json;
import dev.batchline.provider.OpenAiBatchClient;
import dev.batchline.provider.ProviderFile;
import dev.batchline.provider.ProviderProfile;
import dev.batchline.provider.ProviderProfiles;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Run in its own small-heap JVM by {@link StreamingMemoryTest}: uploads an S3 object to a provider
 * and downloads the provider's copy back into S3 with Batchline's client, nothing else in the heap.
 * Arguments: S3 endpoint, access key, secret key, provider base URL, API key, bucket, source key, target key.
 */
public final class StreamingProbe {

    private StreamingProbe() {
    }

    public static void main(String[] args) {
        S3Client s3 = S3Client.builder().endpointOverride(URI.create(args[0])).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(args[1], args[2])))
                .forcePathStyle(true).httpClient(UrlConnectionHttpClient.create()).build();
        ProviderProfile generic = ProviderProfiles.GENERIC;
        ProviderProfile profile = new ProviderProfile("probe", args[3], "", generic.endpoints(),
                generic.maxRequestsPerBatch(), generic.maxBytesPerBatch(), generic.maxLineBytes(),
                generic.maxFileRequests(), generic.maxFileBytes(), true, false, "24h", 1, 1, 1, 1, "batch", Map.of());
        String apiKey = args[4];
        OpenAiBatchClient client = new OpenAiBatchClient(profile, () -> apiKey, OpenAiBatchClient.defaultHttpClient(),
                s3, Json.mapper(), OpenAiBatchClient.Settings.DEFAULT, duration -> Thread.sleep(duration.toMillis()),
                Clock.systemUTC());
        ProviderFile file = client.uploadFile(args[5], args[6], "probe.jsonl");
        long downloaded = client.downloadFile(file.id(), args[5], args[7], Instant.now().plusSeconds(600));
        System.out.printf("uploaded %d bytes as %s, downloaded %d bytes, max heap %d MB%n", file.bytes(), file.id(),
                downloaded, Runtime.getRuntime().maxMemory() >> 20);
        System.exit(0);
    }
}
