package dev.batchline.ingest;

import java.util.List;

/**
 * The outcome of validating one batch file.
 *
 * @param valid      true when the file may be submitted as it is (possibly in several parts)
 * @param profile    the provider profile the file was checked against
 * @param endpoint   the endpoint every line targets, or null when none was valid
 * @param model      the model every line names, or null when none or several
 * @param requests   request lines in the file (every line that is not blank)
 * @param bytes      size of the file as uploaded
 * @param parts      provider batches the file will be submitted as (0 when invalid)
 * @param errorCount every problem found, listed or not
 * @param errors     the first problems found, in line order, at most the configured number
 */
public record ValidationReport(
        boolean valid,
        String profile,
        String endpoint,
        String model,
        long requests,
        long bytes,
        int parts,
        long errorCount,
        List<ValidationIssue> errors) {

    public ValidationReport {
        errors = List.copyOf(errors);
    }
}
