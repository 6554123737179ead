package dev.batchline.lambda;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchline.finalize.PartFailureService;
import dev.batchline.job.PartProgress;
import java.time.Instant;

/** The FailPart task: a part's step failed for good; the part ends alone, one slice of error records a call. */
public final class FailPartHandler extends JsonStepHandler<FailPartRequest, PartProgress> {

    private final PartFailureService service;
    private final ObjectMapper mapper;

    public FailPartHandler() {
        this(Services.fromEnvironment());
    }

    public FailPartHandler(Services services) {
        super(services, FailPartRequest.class);
        this.service = services.partFailures();
        this.mapper = services.mapper();
    }

    @Override
    protected PartProgress handle(FailPartRequest request, Instant deadline) {
        String reason = request.error() == null ? "" : request.error().describe(mapper);
        return service.failPart(PartProgress.item(request.jobId(), request.partNumber()), reason, deadline);
    }
}
