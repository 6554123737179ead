package dev.batchline.complete;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.batchline.job.Lineage;
import dev.batchline.job.PartOutcome;
import dev.batchline.job.SourceObject;
import java.time.Instant;
import java.util.List;

/**
 * A job's account, {@code results/<jobId>/manifest.json}: what was asked, what became of every
 * request, and where the records are. Its JSON shape is documented in the README.
 *
 * @param schemaVersion {@value #SCHEMA_VERSION}; a reader of a later version keeps reading what it knows
 * @param status        {@code completed} or {@code failed}
 * @param accountedFor  the counts add up to the requests
 * @param unmatchedLines lines of the provider's files that named no request to account for, kept in
 *                      each part's {@code provider/} folder ({@code unmatched-*.jsonl})
 * @param records       the prefixes of the per-record objects, when the job wrote them
 * @param merged        the merged files and their lines, when the job wrote them
 * @param error         why the job failed, when it did
 * @param lineage       the job whose failed requests this one retries, and which retry it is; absent
 *                      for an upload of its own
 * @param retriedBy     the jobs that retry this one's failed requests, newest last: written when the
 *                      job finishes as empty, and added to by {@code batchline retry}
 * @param cost          what the provider charges, from the usage and the profile's prices
 * @param awsCostEstimate what the job cost on AWS, item by item
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Manifest(
        int schemaVersion,
        String jobId,
        String status,
        SourceObject source,
        String profile,
        String endpoint,
        String model,
        long requests,
        Counts counts,
        boolean accountedFor,
        long unmatchedLines,
        Usage usage,
        Records records,
        Merged merged,
        List<Part> parts,
        Instant createdAt,
        Instant finishedAt,
        Failure error,
        Lineage lineage,
        List<String> retriedBy,
        ProviderCost cost,
        AwsCostEstimate awsCostEstimate) {

    /** The manifest field {@code batchline retry} appends the new job's id to. */
    public static final String RETRIED_BY = "retriedBy";

    public static final int SCHEMA_VERSION = 1;

    /** Requests by what became of them; they add up to the job's requests. */
    public record Counts(long succeeded, long failed, long expired, long cancelled, long missing) {

        static Counts of(PartOutcome outcome) {
            return new Counts(outcome.succeeded(), outcome.failed(), outcome.expired(), outcome.cancelled(),
                    outcome.missing());
        }

        public long total() {
            return succeeded + failed + expired + cancelled + missing;
        }
    }

    /** Tokens the provider reported, over every request. */
    public record Usage(long promptTokens, long completionTokens, long totalTokens) {
    }

    /** The prefixes of the job's result and error records. */
    public record Records(String results, String errors) {
    }

    /** The merged files: every result line, and every error record, one a line; their lines add up to the counts. */
    public record Merged(String results, long resultLines, String errors, long errorLines) {
    }

    /**
     * One part: its provider batch and what became of its requests.
     *
     * @param failure why the part ended unfinished ({@code part_failed} or {@code job_failed} and
     *                the error caught), or null
     */
    public record Part(int partNumber, int requests, String providerBatchId, String providerStatus,
            PartOutcome outcome, Failure failure) {
    }

    /** Why a job or a part failed: an error name or code, and its cause. */
    public record Failure(String error, String cause) {
    }
}
