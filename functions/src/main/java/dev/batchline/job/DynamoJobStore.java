package dev.batchline.job;

import static dev.batchline.job.JobItems.instant;
import static dev.batchline.job.JobItems.jobFromItem;
import static dev.batchline.job.JobItems.jobKey;
import static dev.batchline.job.JobItems.jobToItem;
import static dev.batchline.job.JobItems.n;
import static dev.batchline.job.JobItems.nul;
import static dev.batchline.job.JobItems.partFromItem;
import static dev.batchline.job.JobItems.partKey;
import static dev.batchline.job.JobItems.partSk;
import static dev.batchline.job.JobItems.s;
import static dev.batchline.job.JobItems.stagedFromItem;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.DeleteRequest;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Jobs in one DynamoDB table: {@code pk = JOB#<jobId>}, {@code sk = JOB} or {@code PART#00001}.
 * Every item carries {@code expiresAt} (epoch seconds), the table's time-to-live attribute, so
 * finished jobs leave the table after the retention period on their own.
 */
public final class DynamoJobStore implements JobStore {

    public static final String PARTITION_KEY = "pk";
    public static final String SORT_KEY = "sk";
    /** The index of jobs by creation time that {@link #newest} reads: job items only, newest last. */
    public static final String CREATION_INDEX = "byCreation";
    public static final String LISTING_KEY = "listing";
    public static final String CREATED_AT = "createdAt";
    /**
     * What the creation index holds beside the keys: the status, to filter by. Not the rest, so the
     * job item's frequent counters do not write the index each time; {@link #newest} reads each job.
     */
    public static final List<String> CREATION_INDEX_ATTRIBUTES = List.of("status");
    private static final int BATCH_WRITE_LIMIT = 25;
    private static final int QUERY_PAGE = 100;
    private static final Duration COUNT_TIMEOUT = Duration.ofSeconds(3);
    public static final String TIME_TO_LIVE_ATTRIBUTE = "expiresAt";
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(90);

    private final DynamoDbClient dynamo;
    private final String table;
    private final Clock clock;
    private final Duration retention;

    public DynamoJobStore(DynamoDbClient dynamo, String table) {
        this(dynamo, table, Clock.systemUTC(), DEFAULT_RETENTION);
    }

    public DynamoJobStore(DynamoDbClient dynamo, String table, Clock clock, Duration retention) {
        this.dynamo = dynamo;
        this.table = table;
        this.clock = clock;
        this.retention = retention;
    }

    /** The table's key schema, for local runs and tests; the deployed table comes from infrastructure/. */
    public static CreateTableRequest createTableRequest(String table) {
        return CreateTableRequest.builder()
                .tableName(table)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(stringAttribute(PARTITION_KEY), stringAttribute(SORT_KEY),
                        stringAttribute(LISTING_KEY), stringAttribute(CREATED_AT))
                .keySchema(
                        KeySchemaElement.builder().attributeName(PARTITION_KEY).keyType(KeyType.HASH).build(),
                        KeySchemaElement.builder().attributeName(SORT_KEY).keyType(KeyType.RANGE).build())
                .globalSecondaryIndexes(GlobalSecondaryIndex.builder().indexName(CREATION_INDEX)
                        .keySchema(KeySchemaElement.builder().attributeName(LISTING_KEY).keyType(KeyType.HASH).build(),
                                KeySchemaElement.builder().attributeName(CREATED_AT).keyType(KeyType.RANGE).build())
                        .projection(Projection.builder().projectionType(ProjectionType.INCLUDE)
                                .nonKeyAttributes(CREATION_INDEX_ATTRIBUTES).build()).build())
                .build();
    }

    private static AttributeDefinition stringAttribute(String name) {
        return AttributeDefinition.builder().attributeName(name).attributeType(ScalarAttributeType.S).build();
    }

    @Override
    public JobClaim claim(JobRecord fresh, Instant now) {
        try {
            dynamo.putItem(r -> r.tableName(table).item(jobToItem(fresh, fresh.createdAt().plus(retention)))
                    .conditionExpression("attribute_not_exists(pk)"));
            return new JobClaim(true, fresh);
        } catch (ConditionalCheckFailedException exists) {
            return takeOverExpired(fresh, now);
        }
    }

    private JobClaim takeOverExpired(JobRecord fresh, Instant now) {
        try {
            dynamo.updateItem(r -> r.tableName(table).key(jobKey(fresh.jobId()))
                    .updateExpression("SET leaseUntil = :lease, updatedAt = :updatedAt")
                    .conditionExpression("#status = :validating AND leaseUntil < :now")
                    .expressionAttributeNames(Map.of("#status", "status"))
                    .expressionAttributeValues(Map.of(
                            ":lease", n(fresh.leaseUntil().toEpochMilli()),
                            ":now", n(now.toEpochMilli()),
                            ":updatedAt", s(now.toString()),
                            ":validating", s(JobStatus.VALIDATING.name()))));
            return new JobClaim(true, require(fresh.jobId()));
        } catch (ConditionalCheckFailedException held) {
            return new JobClaim(false, require(fresh.jobId()));
        }
    }

    @Override
    public void saveParts(String jobId, List<StagedPart> parts) {
        List<WriteRequest> writes = new ArrayList<>();
        for (StagedPart part : parts) {
            Map<String, AttributeValue> item = new HashMap<>();
            item.put(PARTITION_KEY, s("JOB#" + jobId));
            item.put(SORT_KEY, s(partSk(part.partNumber())));
            item.put("partNumber", n(part.partNumber()));
            item.put("key", s(part.key()));
            item.put("firstLine", n(part.firstLine()));
            item.put("requests", n(part.requests()));
            item.put("bytes", n(part.bytes()));
            item.put(TIME_TO_LIVE_ATTRIBUTE, n(clock.instant().plus(retention).getEpochSecond()));
            writes.add(WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build());
        }
        writeAll(writes);
    }

    private void writeAll(List<WriteRequest> writes) {
        for (int from = 0; from < writes.size(); from += BATCH_WRITE_LIMIT) {
            writeBatch(writes.subList(from, Math.min(writes.size(), from + BATCH_WRITE_LIMIT)));
        }
    }

    private void writeBatch(List<WriteRequest> batch) {
        Map<String, List<WriteRequest>> pending = Map.of(table, batch);
        for (int attempt = 0; !pending.isEmpty(); attempt++) {
            if (attempt > 0) {
                Backoff.pause(attempt);
            }
            if (attempt == 8) {
                throw new IllegalStateException("DynamoDB left writes of job records unprocessed after " + attempt + " tries");
            }
            Map<String, List<WriteRequest>> request = pending;
            pending = dynamo.batchWriteItem(r -> r.requestItems(request)).unprocessedItems();
        }
    }

    @Override
    public JobRecord markSubmitting(String jobId, long requests, int parts, String endpoint, String model,
            Lineage lineage, Instant now) {
        Map<String, AttributeValue> values = new HashMap<>();
        String lineageFields = "";
        if (lineage.retryOf() != null) {
            values.put(":retryOf", s(lineage.retryOf()));
            values.put(":generation", n(lineage.generation()));
            lineageFields = ", retryOf = :retryOf, generation = :generation";
        }
        values.put(":requests", n(requests));
        values.put(":parts", n(parts));
        values.put(":endpoint", s(endpoint));
        values.put(":model", model == null ? nul() : s(model));
        return transition(jobId, JobStatus.SUBMITTING, now,
                "requests = :requests, parts = :parts, endpoint = :endpoint, model = :model" + lineageFields, values);
    }

    @Override
    public JobRecord markRejected(String jobId, long requests, long errorCount, String reportKey, Instant now) {
        return transition(jobId, JobStatus.REJECTED, now,
                "requests = :requests, errorCount = :errors, reportKey = :report",
                Map.of(":requests", n(requests), ":errors", n(errorCount), ":report", s(reportKey)));
    }

    @Override
    public JobRecord markRunning(String jobId, String executionId, Instant now) {
        try {
            return transition(jobId, List.of(JobStatus.SUBMITTING), JobStatus.RUNNING, now,
                    "executionId = :execution", Map.of(":execution", s(executionId)));
        } catch (IllegalStateException refused) {
            JobRecord current = require(jobId);
            if (current.status() == JobStatus.COMPLETED || current.status() == JobStatus.FAILED) {
                return current; // the workflow ended before its start was recorded: nothing to move
            }
            throw refused;
        }
    }

    private JobRecord transition(String jobId, JobStatus target, Instant now, String setFields,
            Map<String, AttributeValue> fieldValues) {
        return transition(jobId, List.of(JobStatus.VALIDATING), target, now, setFields, fieldValues);
    }

    /** From any of {@code from} to {@code target}; idempotent, refused from any other status. */
    private JobRecord transition(String jobId, List<JobStatus> from, JobStatus target, Instant now, String setFields,
            Map<String, AttributeValue> fieldValues) {
        Map<String, AttributeValue> values = new HashMap<>(fieldValues);
        values.put(":target", s(target.name()));
        List<String> fromNames = new ArrayList<>();
        for (int i = 0; i < from.size(); i++) {
            values.put(":from" + i, s(from.get(i).name()));
            fromNames.add(":from" + i);
        }
        values.put(":now", s(now.toString()));
        try {
            dynamo.updateItem(r -> r.tableName(table).key(jobKey(jobId))
                    .updateExpression("SET #status = :target, updatedAt = :now, " + setFields + " REMOVE leaseUntil")
                    .conditionExpression("#status IN (" + String.join(", ", fromNames) + ")")
                    .expressionAttributeNames(Map.of("#status", "status"))
                    .expressionAttributeValues(values));
        } catch (ConditionalCheckFailedException e) {
            JobRecord current = require(jobId);
            if (current.status() != target) {
                throw new IllegalStateException("job " + jobId + " cannot move to " + target + ": it is "
                        + current.status(), e);
            }
            return current;
        }
        return require(jobId);
    }

    @Override
    public Optional<JobRecord> find(String jobId) {
        Map<String, AttributeValue> item = dynamo.getItem(r -> r.tableName(table).key(jobKey(jobId))
                .consistentRead(true)).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(jobFromItem(item));
    }

    @Override
    public List<JobRecord> newest(JobStatus status, int limit) {
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":listed", s(JobItems.LISTED_JOB));
        QueryRequest.Builder query = QueryRequest.builder().tableName(table).indexName(CREATION_INDEX)
                .keyConditionExpression(LISTING_KEY + " = :listed").scanIndexForward(false);
        if (status != null) {
            values.put(":status", s(status.name()));
            query.filterExpression("#status = :status").expressionAttributeNames(Map.of("#status", "status"));
        }
        query.expressionAttributeValues(values);
        List<JobRecord> jobs = new ArrayList<>();
        for (QueryResponse page : dynamo.queryPaginator(query.limit(Math.min(limit, QUERY_PAGE)).build())) {
            for (Map<String, AttributeValue> item : page.items()) {
                find(item.get("jobId") != null ? item.get("jobId").s()
                        : item.get(PARTITION_KEY).s().substring("JOB#".length())).ifPresent(jobs::add);
                if (jobs.size() == limit) {
                    return jobs;
                }
            }
        }
        return jobs;
    }

    @Override
    public void delete(String jobId) {
        List<WriteRequest> deletes = new ArrayList<>();
        for (QueryResponse page : dynamo.queryPaginator(r -> r.tableName(table)
                .keyConditionExpression(PARTITION_KEY + " = :pk").projectionExpression(PARTITION_KEY + ", " + SORT_KEY)
                .expressionAttributeValues(Map.of(":pk", jobKey(jobId).get(PARTITION_KEY))))) {
            for (Map<String, AttributeValue> key : page.items()) {
                deletes.add(WriteRequest.builder().deleteRequest(DeleteRequest.builder().key(key).build()).build());
            }
        }
        writeAll(deletes);
    }

    private JobRecord require(String jobId) {
        return find(jobId).orElseThrow(() -> new IllegalStateException("job " + jobId + " is not in " + table));
    }

    @Override
    public List<StagedPart> parts(String jobId) {
        List<StagedPart> parts = new ArrayList<>();
        partItems(jobId).forEach(item -> parts.add(stagedFromItem(item)));
        return parts;
    }

    @Override
    public List<PartRecord> partRecords(String jobId) {
        List<PartRecord> parts = new ArrayList<>();
        partItems(jobId).forEach(item -> parts.add(partFromItem(item)));
        return parts;
    }

    private Iterable<Map<String, AttributeValue>> partItems(String jobId) {
        return dynamo.queryPaginator(r -> r.tableName(table).consistentRead(true)
                        .keyConditionExpression("pk = :pk AND begins_with(sk, :part)")
                        .expressionAttributeValues(Map.of(":pk", s("JOB#" + jobId), ":part", s("PART#"))))
                .items();
    }

    @Override
    public PartRecord part(String jobId, int partNumber) {
        Map<String, AttributeValue> item = dynamo.getItem(r -> r.tableName(table).key(partKey(jobId, partNumber))
                .consistentRead(true)).item();
        if (item == null || item.isEmpty()) {
            throw new IllegalStateException("job " + jobId + " has no part " + partNumber);
        }
        return partFromItem(item);
    }

    @Override
    public void markUploadStarted(String jobId, int partNumber) {
        dynamo.updateItem(r -> r.tableName(table).key(partKey(jobId, partNumber))
                .updateExpression("SET uploadStarted = :yes").conditionExpression("attribute_exists(pk)")
                .expressionAttributeValues(Map.of(":yes", AttributeValue.fromBool(true))));
    }

    @Override
    public void recordUpload(String jobId, int partNumber, String fileId) {
        dynamo.updateItem(r -> r.tableName(table).key(partKey(jobId, partNumber))
                .updateExpression("SET fileId = :file").conditionExpression("attribute_exists(pk)")
                .expressionAttributeValues(Map.of(":file", s(fileId))));
    }

    @Override
    public boolean recordBatch(String jobId, int partNumber, String batchId, Instant now) {
        try {
            dynamo.updateItem(r -> r.tableName(table).key(partKey(jobId, partNumber))
                    .updateExpression("SET batchId = :batch, firstSubmittedAt = if_not_exists(firstSubmittedAt, :now)")
                    .conditionExpression("attribute_exists(pk) AND (attribute_not_exists(batchId) OR batchId = :batch)")
                    .expressionAttributeValues(Map.of(":batch", s(batchId), ":now", s(now.toString()))));
            return true;
        } catch (ConditionalCheckFailedException other) {
            return false;
        }
    }

    @Override
    public void clearBatch(String jobId, int partNumber, String batchId) {
        try {
            dynamo.updateItem(r -> r.tableName(table).key(partKey(jobId, partNumber))
                    .updateExpression("REMOVE batchId, batchStatus, cancelSent ADD submissions :one")
                    .conditionExpression("batchId = :batch")
                    .expressionAttributeValues(Map.of(":batch", s(batchId), ":one", n(1))));
        } catch (ConditionalCheckFailedException alreadyCleared) {
            // a retried step cleared it before
        }
    }

    @Override
    public void recordBatchStatus(String jobId, int partNumber, String status, long total, long completed,
            long failed, Instant nextPollAt) {
        dynamo.updateItem(r -> r.tableName(table).key(partKey(jobId, partNumber))
                .updateExpression("SET batchStatus = :status, providerTotal = :total, providerCompleted = :completed, "
                        + "providerFailed = :failed, nextPollAt = :next ADD polls :one")
                .conditionExpression("attribute_exists(pk)")
                .expressionAttributeValues(Map.of(":status", s(status), ":total", n(total), ":completed", n(completed),
                        ":failed", n(failed), ":next", s(nextPollAt.toString()), ":one", n(1))));
    }

    @Override
    public boolean markCancelSent(String jobId, int partNumber) {
        try {
            dynamo.updateItem(r -> r.tableName(table).key(partKey(jobId, partNumber))
                    .updateExpression("SET cancelSent = :yes").conditionExpression("attribute_not_exists(cancelSent)")
                    .expressionAttributeValues(Map.of(":yes", AttributeValue.fromBool(true))));
            return true;
        } catch (ConditionalCheckFailedException sentBefore) {
            return false;
        }
    }

    @Override
    public int countCopyAttempt(String jobId, int partNumber) {
        return Integer.parseInt(dynamo.updateItem(r -> r.tableName(table).key(partKey(jobId, partNumber))
                .updateExpression("ADD copyAttempts :one").conditionExpression("attribute_exists(pk)")
                .expressionAttributeValues(Map.of(":one", n(1))).returnValues(ReturnValue.UPDATED_NEW))
                .attributes().get("copyAttempts").n());
    }

    @Override
    public void markOutputIncomplete(String jobId, int partNumber) {
        dynamo.updateItem(r -> r.tableName(table).key(partKey(jobId, partNumber))
                .updateExpression("SET outputIncomplete = :yes").conditionExpression("attribute_exists(pk)")
                .expressionAttributeValues(Map.of(":yes", AttributeValue.fromBool(true))));
    }

    @Override
    public void startFinalize(String jobId, int partNumber) {
        try {
            dynamo.updateItem(r -> r.tableName(table).key(partKey(jobId, partNumber))
                    .updateExpression("SET finalizePhase = :phase, finalizeCursor = :zero, finalizeLine = :zero, "
                            + "finalizeCheckpoint = :zero")
                    .conditionExpression("attribute_exists(pk) AND attribute_not_exists(finalizePhase)")
                    .expressionAttributeValues(Map.of(":phase", s(FinalizePhase.RESOLVE_OUTPUT.stored()), ":zero", n(0))));
        } catch (ConditionalCheckFailedException started) {
            part(jobId, partNumber); // fails when the part does not exist; otherwise it had started
        }
    }

    @Override
    public void takeFinalizeLease(String jobId, int partNumber, String run, Instant until, Instant now) {
        try {
            dynamo.updateItem(r -> r.tableName(table).key(partKey(jobId, partNumber))
                    .updateExpression("SET finalizeLease = :run, finalizeLeaseUntil = :until")
                    .conditionExpression("attribute_exists(pk) AND (attribute_not_exists(finalizeLease) "
                            + "OR finalizeLeaseUntil < :now OR finalizeLease = :run)")
                    .expressionAttributeValues(Map.of(":run", s(run), ":until", s(until.toString()), ":now",
                            s(now.toString()))));
        } catch (ConditionalCheckFailedException held) {
            Map<String, AttributeValue> item = dynamo.getItem(r -> r.tableName(table).key(partKey(jobId, partNumber))
                    .consistentRead(true)).item();
            throw new FinalizeLeaseHeldException(jobId, partNumber, instant(item, "finalizeLeaseUntil"));
        }
    }

    @Override
    public void releaseFinalizeLease(String jobId, int partNumber, String run) {
        try {
            dynamo.updateItem(r -> r.tableName(table).key(partKey(jobId, partNumber))
                    .updateExpression("REMOVE finalizeLease, finalizeLeaseUntil")
                    .conditionExpression("finalizeLease = :run")
                    .expressionAttributeValues(Map.of(":run", s(run))));
        } catch (ConditionalCheckFailedException notHeld) {
            // Taken over after this run's deadline: the lease is the other run's now.
        }
    }

    @Override
    public void saveFinalizeProgress(String jobId, int partNumber, String run, FinalizePhase phase,
            FinalizeCursor cursor, PartOutcome outcome, List<MergedSegment> segments) {
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":run", s(run));
        values.put(":phase", s(phase.stored()));
        values.put(":cursor", n(cursor.offset()));
        values.put(":line", n(cursor.line()));
        values.put(":checkpoint", n(cursor.checkpoint()));
        values.put(":previous", n(cursor.checkpoint() - 1L));
        values.put(":seen", cursor.seenKey() == null ? AttributeValue.fromNul(true) : s(cursor.seenKey()));
        values.put(":succeeded", n(outcome.succeeded()));
        values.put(":failed", n(outcome.failed()));
        values.put(":expired", n(outcome.expired()));
        values.put(":cancelled", n(outcome.cancelled()));
        values.put(":missing", n(outcome.missing()));
        values.put(":prompt", n(outcome.promptTokens()));
        values.put(":completion", n(outcome.completionTokens()));
        values.put(":total", n(outcome.totalTokens()));
        values.put(":unmatched", n(outcome.unmatchedLines()));
        if (!segments.isEmpty()) {
            values.put(":segments", JobItems.segmentsToItem(segments));
            values.put(":none", AttributeValue.fromL(List.of()));
        }
        try {
            dynamo.updateItem(r -> r.tableName(table).key(partKey(jobId, partNumber))
                    .updateExpression("SET finalizePhase = :phase, finalizeCursor = :cursor, finalizeLine = :line, "
                            + "finalizeCheckpoint = :checkpoint, finalizeSeenKey = :seen, succeeded = :succeeded, "
                            + "failedRecords = :failed, expired = :expired, cancelled = :cancelled, "
                            + "#missing = :missing, promptTokens = :prompt, completionTokens = :completion, "
                            + "totalTokens = :total, unmatchedLines = :unmatched"
                            + (segments.isEmpty() ? "" : ", mergedSegments = list_append(if_not_exists(mergedSegments, :none), "
                                    + ":segments)"))
                    .conditionExpression("finalizeCheckpoint = :previous AND finalizeLease = :run")
                    // "missing" is one of DynamoDB's reserved words.
                    .expressionAttributeNames(Map.of("#missing", "missing"))
                    .expressionAttributeValues(values));
        } catch (ConditionalCheckFailedException another) {
            throw new FinalizeConflictException(jobId, partNumber, cursor.checkpoint());
        }
    }

    @Override
    public boolean failPart(String jobId, int partNumber, PartFailure failure, FinalizeCursor at) {
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":code", s(failure.code()));
        values.put(":reason", s(failure.reason()));
        values.put(":during", failure.during() == null ? AttributeValue.fromNul(true) : s(failure.during().stored()));
        values.put(":missing", s(FinalizePhase.MISSING.stored()));
        values.put(":done", s(FinalizePhase.DONE.stored()));
        values.put(":zero", n(0));
        values.put(":checkpoint", n(at.checkpoint()));
        values.put(":next", n(at.checkpoint() + 1L));
        try {
            dynamo.updateItem(r -> r.tableName(table).key(partKey(jobId, partNumber))
                    .updateExpression("SET failureCode = :code, failureReason = :reason, failedDuring = :during, "
                            + "finalizePhase = :missing, finalizeCursor = :zero, finalizeLine = :zero, "
                            + "finalizeCheckpoint = :next")
                    .conditionExpression("attribute_exists(pk) AND attribute_not_exists(failureCode) "
                            + "AND (attribute_not_exists(finalizePhase) OR finalizePhase <> :done) "
                            + "AND (attribute_not_exists(finalizeCheckpoint) OR finalizeCheckpoint = :checkpoint)")
                    .expressionAttributeValues(values));
            return true;
        } catch (ConditionalCheckFailedException refused) {
            PartRecord now = part(jobId, partNumber);
            if (now.failure() != null || now.finalizePhase() == FinalizePhase.DONE) {
                return false;
            }
            throw new FinalizeConflictException(jobId, partNumber, at.checkpoint() + 1);
        }
    }

    @Override
    public boolean claimRetry(String jobId, String retryKey) {
        try {
            dynamo.updateItem(r -> r.tableName(table).key(jobKey(jobId)).updateExpression("SET retryKey = :key")
                    .conditionExpression("attribute_exists(pk) AND attribute_not_exists(retryKey)")
                    .expressionAttributeValues(Map.of(":key", s(retryKey))));
            return true;
        } catch (ConditionalCheckFailedException claimed) {
            return false;
        }
    }

    @Override
    public void releaseRetry(String jobId, String retryKey) {
        try {
            dynamo.updateItem(r -> r.tableName(table).key(jobKey(jobId)).updateExpression("REMOVE retryKey")
                    .conditionExpression("retryKey = :key").expressionAttributeValues(Map.of(":key", s(retryKey))));
        } catch (ConditionalCheckFailedException another) {
            // Another retry's claim: it stays.
        }
    }

    @Override
    public void recordRetry(String jobId, String retryJobId) {
        dynamo.updateItem(r -> r.tableName(table).key(jobKey(jobId))
                .updateExpression("SET retriedBy = list_append(if_not_exists(retriedBy, :none), :retry)")
                .conditionExpression("attribute_exists(pk)")
                .expressionAttributeValues(Map.of(":none", AttributeValue.fromL(List.of()),
                        ":retry", AttributeValue.fromL(List.of(s(retryJobId))))));
    }

    @Override
    public void countFunctionUse(String jobId, long megabyteMillis) {
        // A count is worth a few seconds at most: the step it counts is done, and must not wait on it.
        dynamo.updateItem(r -> r.tableName(table).key(jobKey(jobId))
                .overrideConfiguration(call -> call.apiCallTimeout(COUNT_TIMEOUT))
                .updateExpression("ADD functionInvocations :one, functionMegabyteMillis :use")
                .conditionExpression("attribute_exists(pk)")
                .expressionAttributeValues(Map.of(":one", n(1), ":use", n(megabyteMillis))));
    }

    @Override
    public void requestCancel(String jobId) {
        dynamo.updateItem(r -> r.tableName(table).key(jobKey(jobId)).updateExpression("SET cancelRequested = :yes")
                .conditionExpression("attribute_exists(pk)")
                .expressionAttributeValues(Map.of(":yes", AttributeValue.fromBool(true))));
    }

    @Override
    public JobRecord markFinished(String jobId, JobStatus status, String manifestKey, Instant now) {
        // From SUBMITTING too: the workflow may end before ingest recorded that it started it.
        return transition(jobId, List.of(JobStatus.SUBMITTING, JobStatus.RUNNING), status, now,
                "manifestKey = :manifest", Map.of(":manifest", s(manifestKey)));
    }
}
