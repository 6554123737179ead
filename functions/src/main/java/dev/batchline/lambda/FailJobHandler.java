package dev.batchline.lambda;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchline.complete.CompletionService;
import dev.batchline.complete.Manifest;
import java.time.Instant;

/**
 * The FailJob task, reached when the workflow itself fails: a call ends unfinished parts as far as
 * it can, the state machine calls again while there is more, and the last writes the manifest.
 */
public final class FailJobHandler extends JsonStepHandler<JobOutcomeRequest, FailJobStep> {

    /** Calls after which the manifest is written whatever remains: every wait has a bound. */
    static final int MAX_CALLS = 20;

    private final CompletionService service;
    private final ObjectMapper mapper;

    public FailJobHandler() {
        this(Services.fromEnvironment());
    }

    public FailJobHandler(Services services) {
        super(services, JobOutcomeRequest.class);
        this.service = services.completion();
        this.mapper = services.mapper();
    }

    @Override
    protected FailJobStep handle(JobOutcomeRequest request, Instant deadline) {
        CaughtError error = request.error() == null ? new CaughtError("Unknown", null) : request.error();
        int calls = (request.calls() == null ? 0 : request.calls()) + 1;
        return service.fail(request.jobId(), new Manifest.Failure(error.error(), error.causeMessage(mapper)),
                        calls >= MAX_CALLS || Boolean.TRUE.equals(request.manifestOnly()), deadline)
                .map(outcome -> new FailJobStep(request.jobId(), error, calls, false, outcome.status(),
                        outcome.manifestKey()))
                .orElse(new FailJobStep(request.jobId(), error, calls, true, null, null));
    }
}
