package dev.batchline.lambda;

import dev.batchline.complete.CompletionService;
import java.time.Instant;

/** The CompleteJob task. */
public final class CompleteJobHandler extends JsonStepHandler<JobOutcomeRequest, CompletionService.JobOutcome> {

    private final CompletionService service;

    public CompleteJobHandler() {
        this(Services.fromEnvironment());
    }

    public CompleteJobHandler(Services services) {
        super(services, JobOutcomeRequest.class);
        this.service = services.completion();
    }

    @Override
    protected CompletionService.JobOutcome handle(JobOutcomeRequest request, Instant deadline) {
        return service.complete(request.jobId());
    }
}
