package dev.batchline.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.batchline.testing.AwsIntegration;
import java.io.IOException;
import java.util.Arrays;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

@AwsIntegration
class S3ObjectOutputStreamTest {

    private static final int PART = S3ObjectOutputStream.MIN_PART_BYTES;

    private final S3Client s3;
    private final String bucket = "stream-" + UUID.randomUUID().toString().substring(0, 8);

    S3ObjectOutputStreamTest(S3Client s3) {
        this.s3 = s3;
        s3.createBucket(r -> r.bucket(bucket));
    }

    private static byte[] pattern(int size) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (i * 31 + i / 7);
        }
        return bytes;
    }

    private byte[] read(String key) {
        return s3.getObjectAsBytes(r -> r.bucket(bucket).key(key)).asByteArray();
    }

    @Test
    void close_whenSmallerThanOnePart_putsOneObject() throws IOException {
        byte[] content = pattern(1000);
        try (S3ObjectOutputStream out = new S3ObjectOutputStream(s3, bucket, "small", "application/jsonl", PART)) {
            out.write(content);
        }

        assertThat(read("small")).isEqualTo(content);
        assertThat(s3.listMultipartUploads(r -> r.bucket(bucket)).uploads()).isEmpty();
    }

    @Test
    void close_whenLargerThanAPart_uploadsThePartsInOrder() throws IOException {
        byte[] content = pattern(2 * PART + 12345);
        try (S3ObjectOutputStream out = new S3ObjectOutputStream(s3, bucket, "large", "application/jsonl", PART)) {
            for (int from = 0; from < content.length; from += 100_000) {
                out.write(content, from, Math.min(100_000, content.length - from));
            }
            out.write('!');
        }

        byte[] expected = Arrays.copyOf(content, content.length + 1);
        expected[content.length] = '!';
        assertThat(read("large")).isEqualTo(expected);
    }

    @Test
    void abort_whenPartsWereUploaded_leavesNoObjectAndNoUpload() throws IOException {
        S3ObjectOutputStream out = new S3ObjectOutputStream(s3, bucket, "aborted", "application/jsonl", PART);
        out.write(pattern(PART + 10));

        out.abort();

        assertThat(s3.listMultipartUploads(r -> r.bucket(bucket)).uploads()).isEmpty();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> read("aborted"))
                .isInstanceOf(NoSuchKeyException.class);
    }
}
