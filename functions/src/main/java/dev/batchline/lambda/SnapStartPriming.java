package dev.batchline.lambda;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchline.complete.CompletionService;
import dev.batchline.complete.Manifest;
import dev.batchline.config.AwsClients;
import dev.batchline.job.PartProgress;
import dev.batchline.notify.CloudEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.crac.Context;
import org.crac.Core;
import org.crac.Resource;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Work moved from a function's first invocation to its SnapStart snapshot: before the checkpoint,
 * the step payloads go through Jackson both ways, an event and a manifest's counts are written, and
 * the functions' first SDK calls run whole against answers from memory ({@link CannedHttpClient}),
 * so their classes are loaded and their paths warm in the snapshot. Nothing here calls AWS or a provider: a connection opened now would be restored dead,
 * and a credential fetched now would be shared by every restored copy.
 */
final class SnapStartPriming implements Resource {

    /** CRaC holds resources weakly: the registered one is kept here for the container's life. */
    private static SnapStartPriming registered;

    private final ObjectMapper mapper;
    private final List<String> primedCalls = new CopyOnWriteArrayList<>();
    private final List<String> refusedCalls = new CopyOnWriteArrayList<>();

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
        primeSdkCalls();
    }

    /**
     * The calls every step makes first, each through its client's whole path against answers from
     * memory: a job's item read and updated, a part read by range and a record written, an event
     * sent. What the canned answers fail to satisfy is of no matter: the path is loaded and run.
     */
    private void primeSdkCalls() {
        Region region = Region.of(System.getenv().getOrDefault("AWS_REGION", "us-east-1"));
        CannedHttpClient http = new CannedHttpClient(mapper);
        AwsClients offline = AwsClients.offline(http, region);
        try (DynamoDbClient dynamo = offline.dynamo(); S3Client s3 = offline.s3(); SqsClient sqs = offline.sqs()) {
            Map<String, AttributeValue> key = Map.of("pk", AttributeValue.fromS("JOB#priming"),
                    "sk", AttributeValue.fromS("JOB"));
            quietly(() -> dynamo.getItem(r -> r.tableName("priming").key(key).consistentRead(true)));
            quietly(() -> dynamo.updateItem(r -> r.tableName("priming").key(key).updateExpression("SET #s = :s")
                    .conditionExpression("attribute_exists(pk)").expressionAttributeNames(Map.of("#s", "status"))
                    .expressionAttributeValues(Map.of(":s", AttributeValue.fromS("RUNNING")))
                    .returnValues(ReturnValue.ALL_NEW)));
            quietly(() -> dynamo.query(r -> r.tableName("priming").keyConditionExpression("pk = :pk")
                    .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS("JOB#priming")))));
            quietly(() -> s3.getObjectAsBytes(r -> r.bucket("priming").key("staging/priming/part-00001.idx")
                    .range("bytes=0-1")));
            quietly(() -> s3.putObject(r -> r.bucket("priming").key("results/priming/records/a.json")
                    .contentType("application/json"), RequestBody.fromString("{}")));
            quietly(() -> sqs.sendMessage(r -> r.queueUrl("https://sqs." + region.id() + ".amazonaws.com/0/priming")
                    .messageBody("{}")));
        }
        primedCalls.addAll(http.answered());
    }

    private void quietly(Runnable call) {
        try {
            call.run();
        } catch (SdkException | UncheckedIOException refused) {
            // A canned answer the model refuses still ran the path up to it.
            refusedCalls.add(refused.toString());
        }
    }

    /** The calls the last priming ran through the SDK, as the in-memory client answered them. */
    List<String> primedCalls() {
        return List.copyOf(primedCalls);
    }

    /** The canned answers an SDK model refused in the last priming (each path still ran up to it). */
    List<String> refusedCalls() {
        return List.copyOf(refusedCalls);
    }

    @Override
    public void afterRestore(Context<? extends Resource> context) {
        // Nothing to renew: clients open their connections and fetch credentials on first use.
    }
}
