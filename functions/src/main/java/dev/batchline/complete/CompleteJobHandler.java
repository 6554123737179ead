package dev.batchline.complete;

import dev.batchline.config.JsonStepHandler;
import dev.batchline.config.Services;
import java.time.Instant;
import java.util.Map;

/** The CompleteJob task. */
public final class CompleteJobHandler extends JsonStepHandler<JobOutcomeRequest, Map<String, Object>> {

    private final CompletionService service;

    public CompleteJobHandler() {
        this(Services.fromEnvironment());
    }

    public CompleteJobHandler(Services services) {
        super(services.mapper(), JobOutcomeRequest.class);
        this.service = services.completion();
    }

    @Override
    protected Map<String, Object> handle(JobOutcomeRequest request, Instant deadline) {
        return service.complete(request.jobId());
    }
}
