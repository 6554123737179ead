package dev.batchline.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A suite that talks to S3, DynamoDB and SQS through {@link EmulatorExtension}: on the in-process
 * emulators, and again on LocalStack where a Docker engine runs (the {@value #TAG} tag selects them).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag(AwsIntegration.TAG)
@ExtendWith(EmulatorExtension.class)
public @interface AwsIntegration {

    String TAG = "aws";
}
