package dev.batchline.lambda;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchline.complete.CompletionService;
import dev.batchline.complete.Manifest;
import dev.batchline.job.PartProgress;
import dev.batchline.notify.CloudEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;
import org.crac.Context;
import org.crac.Core;
import org.crac.Resource;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;

/**
 * Work moved from a function's first invocation to its SnapStart snapshot: before the checkpoint,
 * the step payloads go through Jackson both ways, an event and a manifest's counts are written, and
 * the SDK's request models are built, so their classes are loaded and their paths warm in the
 * snapshot. Nothing here calls AWS or a provider: a connection opened now would be restored dead,
 * and a credential fetched now would be shared by every restored copy.
 */
final class SnapStartPriming implements Resource {

    /** CRaC holds resources weakly: the registered one is kept here for the container's life. */
    private static SnapStartPriming registered;

    private final ObjectMapper mapper;

    SnapStartPriming(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** Registers the priming with the runtime's checkpoint, once per container. */
    static synchronized void register(ObjectMapper mapper) {
        if (registered == null) {
            registered = new SnapStartPriming(mapper);
            Core.getGlobalContext().register(registered);
        }
    }

    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) {
        try {
            PartProgress part = mapper.readValue(mapper.writeValueAsBytes(PartProgress.item("priming", 1)
                    .withBatch("batch_priming", 30, 1, false, false)), PartProgress.class);
            mapper.readValue("{\"jobId\":\"priming\",\"calls\":0}", JobOutcomeRequest.class);
            mapper.readValue("{\"jobId\":\"priming\",\"partNumber\":1}", FailPartRequest.class);
            mapper.writeValueAsBytes(CloudEvent.forJob("job.completed", part.jobId(), Instant.EPOCH,
                    new CompletionService.FinishedData(CloudEvent.SCHEMA_VERSION, part.jobId(), "bucket",
                            "results/priming/manifest.json", new Manifest.Counts(0, 0, 0, 0, 0), null)));
        } catch (IOException e) {
            throw new UncheckedIOException("priming the step payloads", e);
        }
        PutObjectRequest.builder().bucket("bucket").key("results/priming/manifest.json")
                .contentType("application/json").build();
        RequestBody.fromString("{}");
        GetObjectRequest.builder().bucket("bucket").key("staging/priming/part-00001.jsonl").range("bytes=0-0").build();
        UpdateItemRequest.builder().tableName("table").key(Map.of("pk", AttributeValue.fromS("JOB#priming")))
                .updateExpression("SET #s = :s").build();
        SendMessageRequest.builder().queueUrl("https://sqs.invalid/queue").messageBody("{}").build();
    }

    @Override
    public void afterRestore(Context<? extends Resource> context) {
        // Nothing to renew: clients open their connections and fetch credentials on first use.
    }
}
