package dev.batchline.lambda;

import dev.batchline.job.PartProgress;
import dev.batchline.submit.SubmitService;
import java.time.Instant;

/** The SubmitBatch task. */
public final class SubmitBatchHandler extends JsonStepHandler<PartProgress, PartProgress> {

    private final SubmitService service;

    public SubmitBatchHandler() {
        this(Services.fromEnvironment());
    }

    public SubmitBatchHandler(Services services) {
        super(services, PartProgress.class);
        this.service = services.submit();
    }

    @Override
    protected PartProgress handle(PartProgress part, Instant deadline) {
        return service.submit(part);
    }
}
