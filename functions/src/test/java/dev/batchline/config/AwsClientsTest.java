package dev.batchline.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.batchline.emulators.AwsEmulators;
import dev.batchline.testing.EmulatorExtension;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** The interceptor hook: the way tests record the calls clients make and inject faults into them. */
@ExtendWith(EmulatorExtension.class)
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
}
