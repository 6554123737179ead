package dev.batchline.lambda;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Function;

/**
 * The functions of Batchline, each once: its handler, the memory and time Lambda gives it, and the
 * name by which the workflow definition calls it. The CDK stack deploys these and the local runtime
 * runs these, so a function is configured in one place.
 */
public enum BatchlineFunction {
    UPLOAD("Upload", UploadHandler.class, UploadHandler::new, 2048, Duration.ofMinutes(15),
            "Validates a file dropped in inbox/, stages it in parts and starts the workflow"),
    SUBMIT_BATCH("SubmitBatch", SubmitBatchHandler.class, SubmitBatchHandler::new, 1024, Duration.ofMinutes(15),
            "Uploads a staged part to the provider and creates its batch, once"),
    POLL_BATCH("PollBatch", PollBatchHandler.class, PollBatchHandler::new, 512, Duration.ofMinutes(2),
            "Retrieves a batch's status, times the next poll, sends a requested cancel"),
    FINALIZE_PART("FinalizePart", FinalizePartHandler.class, FinalizePartHandler::new, 2048, Duration.ofMinutes(15),
            "Copies the provider's files to S3 and splits them into one object per request"),
    FAIL_PART("FailPart", FailPartHandler.class, FailPartHandler::new, 1024, Duration.ofMinutes(15),
            "Ends a part whose step failed for good: cancels its batch, writes part_failed error records"),
    COMPLETE_JOB("CompleteJob", CompleteJobHandler.class, CompleteJobHandler::new, 512, Duration.ofMinutes(15),
            "Writes the merged files and the manifest and marks the job completed"),
    FAIL_JOB("FailJob", FailJobHandler.class, FailJobHandler::new, 1024, Duration.ofMinutes(15),
            "Ends a failed job: cancels unfinished parts' batches, writes job_failed records and the manifest");

    /** The Powertools service every function logs and counts as. */
    public static final String SERVICE_NAME = "batchline";
    /** The CloudWatch namespace of the functions' metrics. */
    public static final String METRICS_NAMESPACE = "Batchline";

    private final String id;
    private final Class<? extends RequestStreamHandler> handler;
    private final Function<Services, RequestStreamHandler> factory;
    private final int memoryMb;
    private final Duration timeout;
    private final String description;

    BatchlineFunction(String id, Class<? extends RequestStreamHandler> handler,
            Function<Services, RequestStreamHandler> factory, int memoryMb, Duration timeout, String description) {
        this.id = id;
        this.handler = handler;
        this.factory = factory;
        this.memoryMb = memoryMb;
        this.timeout = timeout;
        this.description = description;
    }

    /** The construct id in the stack, {@code SubmitBatch}. */
    public String id() {
        return id;
    }

    /** Lambda's handler string: the class and its stream method. */
    public String handler() {
        return handler.getName() + "::handleRequest";
    }

    /** The handler over the given services, as the local runtime runs it in its own JVM. */
    public RequestStreamHandler handlerOver(Services services) {
        return factory.apply(services);
    }

    public int memoryMb() {
        return memoryMb;
    }

    public Duration timeout() {
        return timeout;
    }

    public String description() {
        return description;
    }

    /** The workflow's placeholder for this function's ARN, {@code SubmitBatchFunctionArn}; null for the trigger. */
    public String definitionSubstitution() {
        return this == UPLOAD ? null : id + "FunctionArn";
    }

    /** The function's name in a local stack, {@code batchline-submit-batch}. */
    public String localName() {
        return "batchline-" + name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
