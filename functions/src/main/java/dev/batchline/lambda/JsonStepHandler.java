package dev.batchline.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;

/**
 * A state-machine step as a Lambda handler: the state's JSON input read as {@code I}, the service's
 * answer written back as the state's output. Subclasses only name the service call.
 */
public abstract class JsonStepHandler<I, O> implements RequestStreamHandler {

    /** Time a step may use when no Lambda context says otherwise (local runs). */
    private static final Duration LOCAL_BUDGET = Duration.ofMinutes(15);

    private final ObjectMapper mapper;
    private final Class<I> inputType;

    protected JsonStepHandler(ObjectMapper mapper, Class<I> inputType) {
        this.mapper = mapper;
        this.inputType = inputType;
    }

    @Override
    public final void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        Instant deadline = context == null ? Instant.now().plus(LOCAL_BUDGET)
                : Instant.now().plusMillis(context.getRemainingTimeInMillis());
        mapper.writeValue(output, handle(mapper.readValue(input, inputType), deadline));
    }

    protected abstract O handle(I input, Instant deadline);
}
