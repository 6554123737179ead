package dev.batchline.job;

import dev.batchline.provider.ProviderBatch;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** How jobs and parts are laid out as DynamoDB items, and the attribute helpers the store writes with. */
final class JobItems {

    private static final String JOB_SK = "JOB";
    /** Every job item's value of {@link DynamoJobStore#LISTING_KEY}: the creation index holds jobs, never parts. */
    static final String LISTED_JOB = "JOB";

    private JobItems() {
    }

    static PartRecord partFromItem(Map<String, AttributeValue> item) {
        StagedPart staged = stagedFromItem(item);
        PartOutcome outcome = new PartOutcome(number(item, "succeeded"), number(item, "failedRecords"),
                number(item, "expired"), number(item, "cancelled"), number(item, "missing"),
                number(item, "promptTokens"), number(item, "completionTokens"), number(item, "totalTokens"),
                number(item, "unmatchedLines"));
        return new PartRecord(staged, text(item, "fileId"), item.containsKey("uploadStarted"), text(item, "batchId"),
                (int) number(item, "submissions"), instant(item, "firstSubmittedAt"), text(item, "batchStatus"),
                new ProviderBatch.RequestCounts(number(item, "providerTotal"), number(item, "providerCompleted"),
                        number(item, "providerFailed")),
                item.containsKey("cancelSent"), instant(item, "nextPollAt"), integer(item, "polls"), FinalizePhase.fromStored(text(item, "finalizePhase")),
                new FinalizeCursor(number(item, "finalizeCursor"), number(item, "finalizeLine"),
                        (int) number(item, "finalizeCheckpoint"), text(item, "finalizeSeenKey")),
                outcome, item.containsKey("outputIncomplete"), item.containsKey("failureCode")
                        ? new PartFailure(text(item, "failureCode"), text(item, "failureReason"),
                                FinalizePhase.fromStored(text(item, "failedDuring"))) : null,
                segmentsFromItem(item));
    }

    private static List<MergedSegment> segmentsFromItem(Map<String, AttributeValue> item) {
        AttributeValue list = item.get("mergedSegments");
        if (list == null || !list.hasL()) {
            return List.of();
        }
        return list.l().stream().map(AttributeValue::m).map(segment -> new MergedSegment(text(segment, "key"),
                segment.get("succeeded").bool(), number(segment, "lines"), number(segment, "bytes"))).toList();
    }

    static AttributeValue segmentsToItem(List<MergedSegment> segments) {
        return AttributeValue.fromL(segments.stream().map(segment -> AttributeValue.fromM(Map.of("key",
                s(segment.key()), "succeeded", AttributeValue.fromBool(segment.succeeded()), "lines",
                n(segment.lines()), "bytes", n(segment.bytes())))).toList());
    }

    static StagedPart stagedFromItem(Map<String, AttributeValue> item) {
        return new StagedPart(integer(item, "partNumber"), text(item, "key"), integer(item, "firstLine"),
                integer(item, "requests"), number(item, "bytes"));
    }

    static Map<String, AttributeValue> partKey(String jobId, int partNumber) {
        return Map.of(DynamoJobStore.PARTITION_KEY, s("JOB#" + jobId), DynamoJobStore.SORT_KEY, s(partSk(partNumber)));
    }

    static Map<String, AttributeValue> jobKey(String jobId) {
        return Map.of(DynamoJobStore.PARTITION_KEY, s("JOB#" + jobId), DynamoJobStore.SORT_KEY, s(JOB_SK));
    }

    static String partSk(int partNumber) {
        return String.format("PART#%05d", partNumber);
    }

    static Map<String, AttributeValue> jobToItem(JobRecord job, Instant expiresAt) {
        Map<String, AttributeValue> item = new HashMap<>(jobKey(job.jobId()));
        item.put("jobId", s(job.jobId()));
        item.put(DynamoJobStore.LISTING_KEY, s(LISTED_JOB));
        item.put("status", s(job.status().name()));
        item.put("profile", s(job.profile()));
        item.put("bucket", s(job.source().bucket()));
        item.put("key", s(job.source().key()));
        putIfPresent(item, "versionId", job.source().versionId());
        putIfPresent(item, "etag", job.source().etag());
        item.put("size", n(job.source().size()));
        item.put("createdAt", s(job.createdAt().toString()));
        item.put("updatedAt", s(job.updatedAt().toString()));
        item.put(DynamoJobStore.TIME_TO_LIVE_ATTRIBUTE, n(expiresAt.getEpochSecond()));
        if (job.leaseUntil() != null) {
            item.put("leaseUntil", n(job.leaseUntil().toEpochMilli()));
        }
        return item;
    }

    static JobRecord jobFromItem(Map<String, AttributeValue> item) {
        SourceObject source = new SourceObject(text(item, "bucket"), text(item, "key"), text(item, "versionId"),
                text(item, "etag"), number(item, "size"));
        return new JobRecord(
                text(item, "jobId"),
                JobStatus.valueOf(text(item, "status")),
                text(item, "profile"),
                source,
                instant(item, "createdAt"),
                instant(item, "updatedAt"),
                item.containsKey("leaseUntil") ? Instant.ofEpochMilli(number(item, "leaseUntil")) : null,
                number(item, "requests"),
                (int) number(item, "parts"),
                number(item, "errorCount"),
                text(item, "endpoint"),
                text(item, "model"),
                text(item, "reportKey"),
                text(item, "executionId"),
                item.containsKey("cancelRequested") && Boolean.TRUE.equals(item.get("cancelRequested").bool()),
                text(item, "manifestKey"),
                item.containsKey("retryOf") ? new Lineage(text(item, "retryOf"), integer(item, "generation"))
                        : Lineage.ORIGINAL,
                number(item, "functionInvocations"),
                number(item, "functionMegabyteMillis"),
                item.containsKey("retriedBy") ? item.get("retriedBy").l().stream().map(AttributeValue::s).toList()
                        : List.of());
    }

    static void putIfPresent(Map<String, AttributeValue> item, String name, String value) {
        if (value != null && !value.isEmpty()) {
            item.put(name, s(value));
        }
    }

    static String text(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null ? null : value.s();
    }

    static long number(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null || value.n() == null ? 0 : Long.parseLong(value.n());
    }

    static int integer(Map<String, AttributeValue> item, String name) {
        return (int) number(item, name);
    }

    static Instant instant(Map<String, AttributeValue> item, String name) {
        String value = text(item, name);
        return value == null ? null : Instant.parse(value);
    }

    static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }

    static AttributeValue nul() {
        return AttributeValue.fromNul(true);
    }
}
