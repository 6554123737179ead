package dev.batchline.lambda;

import dev.batchline.job.PartProgress;
import dev.batchline.poll.PollService;
import java.time.Instant;

/** The PollBatch task. */
public final class PollBatchHandler extends JsonStepHandler<PartProgress, PartProgress> {

    private final PollService service;

    public PollBatchHandler() {
        this(Services.fromEnvironment());
    }

    public PollBatchHandler(Services services) {
        super(services, PartProgress.class);
        this.service = services.poll();
    }

    @Override
    protected PartProgress handle(PartProgress part, Instant deadline) {
        return service.poll(part);
    }
}
