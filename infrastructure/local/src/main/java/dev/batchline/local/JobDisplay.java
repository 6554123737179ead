package dev.batchline.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchline.complete.Manifest;
import dev.batchline.config.Json;
import dev.batchline.ingest.SpendEstimate;
import dev.batchline.job.JobRecord;
import dev.batchline.job.JobStatus;
import dev.batchline.job.Lineage;
import dev.batchline.job.PartFailure;
import dev.batchline.job.PartOutcome;
import dev.batchline.job.PartRecord;
import dev.batchline.operate.JobOperations;
import dev.batchline.provider.ProviderBatch;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/** How the commands show a job: one progress line, a status table, and the JSON scripts read. */
final class JobDisplay {

    private static final ObjectMapper MAPPER = Json.mapper();

    private JobDisplay() {
    }

    /** A part as {@code status --json} gives it. */
    record PartStatus(int partNumber, int requests, String batchId, String batchStatus,
            ProviderBatch.RequestCounts providerCounts, Instant nextPollAt, String finalizePhase,
            long recordsWritten, PartFailure failure) {
    }

    /**
     * A finished job's cost, from its manifest.
     *
     * @param provider the provider's charge in {@code currency}, or null when unpriced
     * @param aws      the AWS estimate, in USD
     */
    record Cost(String currency, BigDecimal provider, String unpriced, BigDecimal aws) {

        static Cost of(JsonNode manifest) {
            JsonNode cost = manifest.path("cost");
            JsonNode aws = manifest.path("awsCostEstimate").path("total");
            return new Cost(cost.path("currency").asText(null), cost.path("total").isNumber()
                    ? cost.path("total").decimalValue() : null, cost.path("unpriced").asText(null),
                    aws.isNumber() ? aws.decimalValue() : null);
        }

        String text() {
            return (provider == null ? "-" : SpendEstimate.money(provider) + " " + currency)
                    + (aws == null ? "" : " + AWS " + SpendEstimate.money(aws) + " USD");
        }
    }

    /**
     * A job as {@code status --json} and {@code jobs --json} give it; {@code parts} only from status,
     * {@code cost} once it finished.
     */
    record JobStatusReport(String jobId, String status, String profile, String source, Instant createdAt,
            Instant updatedAt, long requests, int partCount, String endpoint, String model, boolean cancelRequested,
            Lineage lineage, long succeeded, long failed, String manifestKey, Cost cost, List<PartStatus> parts) {
    }

    static JobStatusReport report(JobOperations.JobView view, JsonNode manifest, boolean withParts) {
        JobRecord job = view.job();
        PartOutcome total = view.parts().stream().map(PartRecord::outcome).reduce(PartOutcome.NONE, PartOutcome::plus);
        // A finished job's counts are in its manifest: its parts need not be read.
        Manifest.Counts counts = manifest == null ? null : MAPPER.convertValue(manifest.path("counts"),
                Manifest.Counts.class);
        long succeeded = counts == null ? total.succeeded() : counts.succeeded();
        long records = counts == null ? total.records() : counts.total();
        List<PartStatus> parts = withParts ? view.parts().stream().map(part -> new PartStatus(
                part.staged().partNumber(), part.staged().requests(), part.batchId(), part.batchStatus(),
                part.providerCounts(), part.nextPollAt(), part.finalizePhase() == null ? null
                        : part.finalizePhase().name().toLowerCase(Locale.ROOT), part.outcome().records(),
                part.failure())).toList() : null;
        return new JobStatusReport(job.jobId(), name(job.status()), job.profile(), job.source().key(),
                job.createdAt(), job.updatedAt(), job.requests(), job.parts(), job.endpoint(), job.model(),
                job.cancelRequested(), job.lineage(), succeeded, records - succeeded,
                job.manifestKey(), manifest == null ? null : Cost.of(manifest), parts);
    }

    /** Whether nothing more will happen to the job. */
    static boolean ended(JobStatus status) {
        return status.isFinal() || status == JobStatus.REJECTED;
    }

    static String name(JobStatus status) {
        return status.name().toLowerCase(Locale.ROOT);
    }

    /** One line of where the job and each part stand, for a display that follows a job. */
    static String progressLine(JobOperations.JobView view) {
        StringBuilder line = new StringBuilder("job ").append(name(view.job().status()));
        if (view.job().cancelRequested() && !ended(view.job().status())) {
            line.append(" (cancelling)");
        }
        for (PartRecord part : view.parts()) {
            line.append(String.format("; part %d: %s %d/%d done, %d failed", part.staged().partNumber(),
                    part.batchStatus() == null ? "submitting" : part.batchStatus(), part.providerCounts().completed(),
                    part.staged().requests(), part.providerCounts().failed()));
            if (part.finalizePhase() != null) {
                line.append(", finalizing (").append(part.outcome().records()).append(" records written)");
            }
        }
        return line.toString();
    }

    /** The job and a row per part, for a person. */
    static void printStatus(PrintWriter out, JobStatusReport job, Instant now) {
        out.printf("job %s  %s%s%n", job.jobId(), job.status(), job.cancelRequested() && job.manifestKey() == null
                ? " (cancel requested)" : "");
        out.printf("  source %s, profile %s, model %s, created %s ago%n", job.source(), job.profile(),
                job.model() == null ? "-" : job.model(), age(job.createdAt(), now));
        out.printf("  requests %d in %d part(s): %d succeeded, %d failed%s%n", job.requests(), job.partCount(),
                job.succeeded(), job.failed(), job.manifestKey() == null ? " so far" : "");
        if (job.lineage() != null && job.lineage().retryOf() != null) {
            out.printf("  retry %d of job %s%n", job.lineage().generation(), job.lineage().retryOf());
        }
        if (job.manifestKey() != null) {
            out.printf("  manifest %s%n", job.manifestKey());
        }
        if (job.cost() != null) {
            out.printf("  cost %s%s%n", job.cost().text(), job.cost().unpriced() == null ? ""
                    : " (provider unpriced: " + job.cost().unpriced() + ")");
        }
        if (job.parts() == null || job.parts().isEmpty()) {
            return;
        }
        out.printf("  %-5s %-9s %-22s %-12s %-19s %-10s %s%n", "PART", "REQUESTS", "BATCH", "PROVIDER",
                "DONE/FAILED", "NEXT POLL", "FINALIZE");
        for (PartStatus part : job.parts()) {
            String nextPoll = part.nextPollAt() == null || part.finalizePhase() != null ? "-"
                    : part.nextPollAt().isAfter(now) ? "in " + age(now, part.nextPollAt()) : "due";
            String finalize = part.failure() != null ? "failed: " + part.failure().code()
                    : part.finalizePhase() == null ? "-"
                    : part.finalizePhase() + " " + part.recordsWritten() + "/" + part.requests();
            out.printf("  %-5d %-9d %-22s %-12s %-19s %-10s %s%n", part.partNumber(), part.requests(),
                    part.batchId() == null ? "-" : part.batchId(), part.batchStatus() == null ? "submitting"
                            : part.batchStatus(), part.providerCounts().completed() + "/"
                            + part.providerCounts().failed(), nextPoll, finalize);
        }
    }

    /** A duration the way a person reads it at a glance: 42s, 5m, 3h, 12d. */
    static String age(Instant from, Instant to) {
        if (from == null) {
            return "-";
        }
        long seconds = Math.max(0, Duration.between(from, to).toSeconds());
        return seconds < 120 ? seconds + "s" : seconds < 7200 ? seconds / 60 + "m"
                : seconds < 172_800 ? seconds / 3600 + "h" : seconds / 86_400 + "d";
    }
}
