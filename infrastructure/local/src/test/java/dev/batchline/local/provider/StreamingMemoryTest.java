package dev.batchline.local.provider;

import static org.assertj.core.api.Assertions.assertThat;

import dev.batchline.config.Json;
import dev.batchline.emulators.AwsEmulators;
import dev.batchline.testing.EmulatorExtension;
import java.io.BufferedOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A 200 MB file up to the provider and back down into S3 by Batchline's client running in a JVM of
 * its own with a 64 MB heap: reading either way whole into memory would end it with OutOfMemoryError.
 */
@ExtendWith(EmulatorExtension.class)
class StreamingMemoryTest {

    private static final long SIZE = 200L * 1024 * 1024;
    private static final String API_KEY = "sk-streaming";

    @TempDir
    Path directory;

    @Test
    void client_moves200MegabytesEachWayWithin64MegabytesOfHeap(AwsEmulators emulators, S3Client s3)
            throws Exception {
        String bucket = "streaming-" + UUID.randomUUID().toString().substring(0, 8);
        s3.createBucket(r -> r.bucket(bucket));
        Path file = directory.resolve("big.jsonl");
        String sourceDigest = write(file);
        s3.putObject(r -> r.bucket(bucket).key("big.jsonl"), RequestBody.fromFile(file));
        Files.delete(file);

        try (LocalProviderServer provider = LocalProviderServer.start(0, LocalProviderConfig.DEFAULTS, API_KEY,
                Json.mapper(), Clock.systemUTC())) {
            Process probe = new ProcessBuilder(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m",
                    "-cp", System.getProperty("java.class.path"), StreamingProbe.class.getName(),
                    emulators.s3Endpoint().toString(), AwsEmulators.ACCESS_KEY, AwsEmulators.SECRET_KEY,
                    provider.baseUrl(), API_KEY, bucket, "big.jsonl", "copy.jsonl"))
                    .redirectErrorStream(true).start();
            String output = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(probe.waitFor(10, TimeUnit.MINUTES)).isTrue();

            assertThat(probe.exitValue()).as(output).isZero();
            assertThat(output).contains("uploaded " + SIZE + " bytes").contains("downloaded " + SIZE + " bytes");
        }
        assertThat(digest(s3.getObject(r -> r.bucket(bucket).key("copy.jsonl")))).isEqualTo(sourceDigest);
    }

    private static String write(Path file) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        byte[] line = ("{\"custom_id\":\"x\",\"method\":\"POST\",\"url\":\"/v1/embeddings\",\"body\":{\"model\":\"m\","
                + "\"input\":\"" + "y".repeat(1000) + "\"}}\n").getBytes(StandardCharsets.UTF_8);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            long written = 0;
            while (written < SIZE) {
                int n = (int) Math.min(line.length, SIZE - written);
                out.write(line, 0, n);
                digest.update(line, 0, n);
                written += n;
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static String digest(InputStream in) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (DigestInputStream digesting = new DigestInputStream(in, digest)) {
            digesting.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
