package dev.batchline.storage;

/**
 * Every key Batchline reads or writes in its bucket, in one place: the functions, the CDK grants
 * and lifecycle rules, the local run and the tests all name objects through it.
 *
 * <pre>
 * inbox/[profile/]name.jsonl                     uploads
 * staging/jobId/part-00001.jsonl                 a part's requests, as staged by ingest
 * staging/jobId/part-00001.ids                   its custom_ids in line order, one JSON string a line
 * staging/jobId/part-00001.idx                   its custom_ids by fingerprint (dev.batchline.ids.PartIndex)
 * rejected/jobId/report.json                     why a file was rejected
 * provider/jobId/part-00001/{output.jsonl, errors.jsonl, batch.json, *.jsonl.resolved-*.bin, seen-*.bin,
 *                                                  unmatched-*.jsonl}
 *                                                the provider's files and finalize's bookkeeping
 * results/jobId/records/recordKey.json           one succeeded request
 * errors/jobId/records/recordKey.json            one request that did not succeed
 * results/jobId/manifest.json                    the job's account
 * </pre>
 */
public final class S3Layout {

    public static final String INBOX = "inbox/";
    public static final String STAGING = "staging/";
    public static final String REJECTED = "rejected/";
    public static final String PROVIDER = "provider/";
    public static final String RESULTS = "results/";
    public static final String ERRORS = "errors/";

    private static final String RECORDS = "records/";
    private static final String MERGED = "merged/";
    /** Stands for every job id in the patterns below: IAM's wildcard. */
    private static final String ANY_JOB = "*";

    private S3Layout() {
    }

    /** Where an upload for {@code profile} goes. */
    public static String inboxKey(String profile, String fileName) {
        return INBOX + profile + "/" + fileName;
    }

    public static String stagingPrefix(String jobId) {
        return STAGING + jobId + "/";
    }

    public static String stagedPart(String jobId, int partNumber) {
        return stagingPrefix(jobId) + partFileName(partNumber);
    }

    /** The part's custom_ids in line order, each a JSON string on a line of its own. */
    public static String partIds(String jobId, int partNumber) {
        return stagingPrefix(jobId) + String.format("part-%05d.ids", partNumber);
    }

    /** The part's custom_ids by fingerprint, read by range. */
    public static String partIndex(String jobId, int partNumber) {
        return stagingPrefix(jobId) + String.format("part-%05d.idx", partNumber);
    }

    /** The name of a part's file, at the provider too. */
    public static String partFileName(int partNumber) {
        return String.format("part-%05d.jsonl", partNumber);
    }

    public static String rejectionReport(String jobId) {
        return REJECTED + jobId + "/report.json";
    }

    /** The folder of a part's provider files and finalize bookkeeping. */
    public static String providerPrefix(String jobId, int partNumber) {
        return String.format("%s%s/part-%05d/", PROVIDER, jobId, partNumber);
    }

    public static String providerOutput(String jobId, int partNumber) {
        return providerPrefix(jobId, partNumber) + "output.jsonl";
    }

    public static String providerErrors(String jobId, int partNumber) {
        return providerPrefix(jobId, partNumber) + "errors.jsonl";
    }

    public static String providerBatch(String jobId, int partNumber) {
        return providerPrefix(jobId, partNumber) + "batch.json";
    }

    /**
     * For one round of lines of a copied provider file ({@link #providerOutput} or
     * {@link #providerErrors}), the part's line index of each line's request (-1 for none): four
     * bytes a line, in file order.
     */
    public static String resolvedLines(String providerFileKey, int round) {
        return providerFileKey + String.format(".resolved-%06d.bin", round);
    }

    /**
     * The lines of the provider's files that one finalize slice could not match to a request of the
     * part (not JSON, no custom_id, one the part does not hold, one already reported), as the
     * provider wrote them; named by the checkpoint that counts them, so a slice done again after a
     * crash writes the same object again.
     */
    public static String unmatchedLines(String jobId, int partNumber, int checkpoint) {
        return providerPrefix(jobId, partNumber) + String.format("unmatched-%06d.jsonl", checkpoint);
    }

    /**
     * Which of the part's requests have a record at a finalize checkpoint: a bitmap by line. Each
     * run names its own, so two overlapping runs never write one object.
     */
    public static String seenBitmap(String jobId, int partNumber, int checkpoint, String run) {
        return providerPrefix(jobId, partNumber) + String.format("seen-%06d-%s.bin", checkpoint, run);
    }

    /** The folder of a job's records: {@code results/} for succeeded requests, else {@code errors/}. */
    public static String recordsPrefix(String jobId, boolean succeeded) {
        return (succeeded ? RESULTS : ERRORS) + jobId + "/" + RECORDS;
    }

    public static String record(String jobId, boolean succeeded, String recordKey) {
        return recordsPrefix(jobId, succeeded) + recordKey + ".json";
    }

    /**
     * One finalize slice's share of the job's merged results or errors; {@code run} and {@code slice}
     * name the invocation and its slice, so a slice done again writes a new segment.
     */
    public static String mergedSegment(String jobId, boolean succeeded, int partNumber, String run, int slice) {
        return String.format("%s%s/%spart-%05d/%s-%06d.jsonl", succeeded ? RESULTS : ERRORS, jobId, MERGED,
                partNumber, run, slice);
    }

    /** The job's merged file: {@code results/<jobId>/output.jsonl} or {@code errors/<jobId>/errors.jsonl}. */
    public static String mergedOutput(String jobId, boolean succeeded) {
        return succeeded ? RESULTS + jobId + "/output.jsonl" : ERRORS + jobId + "/errors.jsonl";
    }

    public static String manifest(String jobId) {
        return RESULTS + jobId + "/manifest.json";
    }

    /** Every job's records ({@link #record}) as an IAM resource pattern. */
    public static String recordsOfAnyJob(boolean succeeded) {
        return recordsPrefix(ANY_JOB, succeeded) + "*";
    }

    /** Every job's merged segments ({@link #mergedSegment}) as an IAM resource pattern. */
    public static String mergedSegmentsOfAnyJob(boolean succeeded) {
        return (succeeded ? RESULTS : ERRORS) + ANY_JOB + "/" + MERGED + "*";
    }

    /** Every job's merged file ({@link #mergedOutput}) as an IAM resource pattern. */
    public static String mergedOutputOfAnyJob(boolean succeeded) {
        return mergedOutput(ANY_JOB, succeeded);
    }

    /** Every job's manifest ({@link #manifest}) as an IAM resource pattern. */
    public static String manifestOfAnyJob() {
        return manifest(ANY_JOB);
    }
}
