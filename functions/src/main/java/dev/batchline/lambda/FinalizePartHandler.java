package dev.batchline.lambda;

import dev.batchline.finalize.FinalizeService;
import dev.batchline.job.PartProgress;
import java.time.Instant;

/** The FinalizePart task: one slice a call, the state machine loops while it reports more work. */
public final class FinalizePartHandler extends JsonStepHandler<PartProgress, PartProgress> {

    private final FinalizeService service;

    public FinalizePartHandler() {
        this(Services.fromEnvironment());
    }

    public FinalizePartHandler(Services services) {
        super(services, PartProgress.class);
        this.service = services.finalizer();
    }

    @Override
    protected PartProgress handle(PartProgress part, Instant deadline) {
        return service.finalizePart(part, deadline);
    }
}
