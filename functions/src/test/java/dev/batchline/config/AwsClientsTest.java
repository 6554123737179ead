package dev.batchline.config;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.batchline.emulators.AwsEmulators;
import dev.batchline.testing.AwsIntegration;
import dev.batchline.testing.EmulatorExtension;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.services.s3.S3Client;

/** The interceptor hook: the way tests record the calls clients make and inject faults into them. */
@AwsIntegration
class AwsClientsTest {

    private final AwsEmulators emulators;

    AwsClientsTest(AwsEmulators emulators) {
        this.emulators = emulators;
    }

    /** Records "Service Operation bucket/key" of each call. */
    private static final class Recorder implements ExecutionInterceptor {
        final List<String> calls = new CopyOnWriteArrayList<>();

        @Override
        public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
            String resource = context.request().getValueForField("Bucket", String.class).orElse("")
                    + context.request().getValueForField("Key", String.class).map(key -> "/" + key).orElse("");
            calls.add(attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME) + " "
                    + attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME) + " " + resource);
        }
    }

    @Test
    void clients_withAnInterceptor_passEveryCallThroughIt() {
        Recorder recorder = new Recorder();
        S3Client s3 = EmulatorExtension.clients(emulators).withInterceptor(recorder).s3();
        String bucket = "calls-" + UUID.randomUUID();

        s3.createBucket(r -> r.bucket(bucket));
        s3.putObject(r -> r.bucket(bucket).key("a/b.json"), RequestBody.fromString("{}"));
        s3.getObjectAsBytes(r -> r.bucket(bucket).key("a/b.json"));

        assertThat(recorder.calls).containsExactly("S3 CreateBucket " + bucket, "S3 PutObject " + bucket + "/a/b.json",
                "S3 GetObject " + bucket + "/a/b.json");
    }

    @Test
    void clients_withAFaultInjectingInterceptor_failTheChosenCallOnly() {
        AtomicInteger puts = new AtomicInteger();
        S3Client s3 = EmulatorExtension.clients(emulators).withInterceptor(new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                if ("PutObject".equals(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME))
                        && puts.incrementAndGet() == 2) {
                    throw new IllegalStateException("injected: the second PutObject fails");
                }
            }
        }).s3();
        String bucket = "faults-" + UUID.randomUUID();
        s3.createBucket(r -> r.bucket(bucket));

        s3.putObject(r -> r.bucket(bucket).key("first"), RequestBody.fromString("1"));
        assertThatThrownBy(() -> s3.putObject(r -> r.bucket(bucket).key("second"), RequestBody.fromString("2")))
                .hasMessageContaining("injected");
        s3.putObject(r -> r.bucket(bucket).key("third"), RequestBody.fromString("3"));

        assertThat(s3.listObjectsV2(r -> r.bucket(bucket)).contents()).extracting(o -> o.key())
                .containsExactly("first", "third");
    }

    /**
     * S3 past a prefix's request rate answers 503 SlowDown: the clients wait and try again, so the
     * caller never sees it. The first three answers to a PutObject are turned into SlowDown here.
     */
    @Test
    void s3SlowDown_isRetriedWithBackoff_notSurfaced() {
        AtomicInteger attempts = new AtomicInteger();
        S3Client s3 = EmulatorExtension.clients(emulators).withInterceptor(new ExecutionInterceptor() {
            private boolean slowDown(ExecutionAttributes attributes) {
                return "PutObject".equals(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME))
                        && attempts.get() <= 3;
            }

            @Override
            public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
                if ("PutObject".equals(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME))) {
                    attempts.incrementAndGet();
                }
            }

            @Override
            public SdkHttpResponse modifyHttpResponse(Context.ModifyHttpResponse context,
                    ExecutionAttributes attributes) {
                return slowDown(attributes) ? context.httpResponse().toBuilder().statusCode(503).build()
                        : context.httpResponse();
            }

            @Override
            public Optional<InputStream> modifyHttpResponseContent(Context.ModifyHttpResponse context,
                    ExecutionAttributes attributes) {
                return slowDown(attributes) ? Optional.of(new ByteArrayInputStream(("<Error><Code>SlowDown</Code>"
                        + "<Message>Please reduce your request rate.</Message></Error>").getBytes(UTF_8)))
                        : context.responseBody();
            }
        }).s3();
        String bucket = "slowdown-" + UUID.randomUUID();
        s3.createBucket(r -> r.bucket(bucket));

        s3.putObject(r -> r.bucket(bucket).key("record"), RequestBody.fromString("1"));

        assertThat(attempts.get()).isEqualTo(4);
        assertThat(s3.getObjectAsBytes(r -> r.bucket(bucket).key("record")).asUtf8String()).isEqualTo("1");
    }
}
