package dev.batchline.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchline.job.JobScoped;
import dev.batchline.job.JobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;

/**
 * A state-machine step as a Lambda handler: the state's JSON input read as {@code I}, the service's
 * answer written back as the state's output. Subclasses only name the service call.
 */
public abstract class JsonStepHandler<I extends JobScoped, O> implements RequestStreamHandler {

    /** Time a step may use when no Lambda context says otherwise (local runs). */
    private static final Duration LOCAL_BUDGET = Duration.ofMinutes(15);
    private static final Logger LOG = LoggerFactory.getLogger(JsonStepHandler.class);
    /** Time the count needs at most; a step that ran closer to its end leaves it out. */
    private static final Duration COUNT_MARGIN = Duration.ofSeconds(5);

    private final ObjectMapper mapper;
    private final JobStore jobs;
    private final Class<I> inputType;

    protected JsonStepHandler(Services services, Class<I> inputType) {
        this.mapper = services.mapper();
        this.jobs = services.jobs();
        this.inputType = inputType;
    }

    /**
     * Runs the step, then counts its time and memory to the job (the manifest's AWS cost estimate
     * reads them), whether the step succeeded or not: a failed invocation is billed too.
     */
    @Override
    public final void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        long started = System.nanoTime();
        Instant deadline = context == null ? Instant.now().plus(LOCAL_BUDGET)
                : Instant.now().plusMillis(context.getRemainingTimeInMillis());
        I request = mapper.readValue(input, inputType);
        try {
            mapper.writeValue(output, handle(request, deadline));
        } finally {
            if (Instant.now().isBefore(deadline.minus(COUNT_MARGIN))) {
                countUse(request.jobId(), context, Duration.ofNanos(System.nanoTime() - started));
            }
        }
    }

    private void countUse(String jobId, Context context, Duration elapsed) {
        int memoryMb = context == null ? 0 : context.getMemoryLimitInMB();
        try {
            jobs.countFunctionUse(jobId, elapsed.toMillis() * memoryMb);
        } catch (RuntimeException e) {
            // A count lost makes the estimate low; it must never fail the step that was done.
            LOG.warn("job {}: the function's use was not counted", jobId, e);
        }
    }

    protected abstract O handle(I input, Instant deadline);
}
