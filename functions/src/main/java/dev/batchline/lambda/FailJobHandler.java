package dev.batchline.lambda;

import dev.batchline.complete.CompletionService;
import java.time.Instant;

/** The FailJob task, reached from any uncaught error of the workflow. */
public final class FailJobHandler extends JsonStepHandler<JobOutcomeRequest, CompletionService.JobOutcome> {

    private final CompletionService service;

    public FailJobHandler() {
        this(Services.fromEnvironment());
    }

    public FailJobHandler(Services services) {
        super(services.mapper(), JobOutcomeRequest.class);
        this.service = services.completion();
    }

    @Override
    protected CompletionService.JobOutcome handle(JobOutcomeRequest request, Instant deadline) {
        JobOutcomeRequest.CaughtError error = request.error();
        return service.fail(request.jobId(), error == null ? "Unknown" : error.error(),
                error == null ? null : error.cause());
    }
}
