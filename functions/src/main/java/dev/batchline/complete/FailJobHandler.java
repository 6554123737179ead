package dev.batchline.complete;

import dev.batchline.config.JsonStepHandler;
import dev.batchline.config.Services;
import java.time.Instant;
import java.util.Map;

/** The FailJob task, reached from any uncaught error of the workflow. */
public final class FailJobHandler extends JsonStepHandler<JobOutcomeRequest, Map<String, Object>> {

    private final CompletionService service;

    public FailJobHandler() {
        this(Services.fromEnvironment());
    }

    public FailJobHandler(Services services) {
        super(services.mapper(), JobOutcomeRequest.class);
        this.service = services.completion();
    }

    @Override
    protected Map<String, Object> handle(JobOutcomeRequest request, Instant deadline) {
        JobOutcomeRequest.CaughtError error = request.error();
        return service.fail(request.jobId(), error == null ? "Unknown" : error.error(),
                error == null ? null : error.cause());
    }
}
