package dev.batchline.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchline.config.Json;
import dev.batchline.ingest.BatchFileValidator;
import dev.batchline.ingest.PartSplitter;
import dev.batchline.ingest.PartStore;
import dev.batchline.ingest.ValidationIssue;
import dev.batchline.ingest.ValidationReport;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.batchline.ingest.RejectionReport;
import dev.batchline.ingest.SpendingGuard;
import dev.batchline.ingest.SpendEstimate;
import dev.batchline.ingest.ValidatorSettings;
import dev.batchline.provider.ProviderProfile;
import dev.batchline.provider.ProviderProfiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code batchline validate}: the upload trigger's checks, on a local file, before anything is uploaded. */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = "Checks a batch file (OpenAI batch JSONL) against a provider profile's rules and limits.%n"
                + "Exit status: 0 valid, 1 invalid, 2 usage or I/O error.")
final class ValidateCommand implements Callable<Integer> {

    static final int VALID = 0;
    static final int INVALID = 1;
    static final int ERROR = 2;

    @Parameters(paramLabel = "FILE", description = "the JSONL batch file")
    Path file;

    @Option(names = "--profile", paramLabel = "NAME", defaultValue = "${env:BATCHLINE_DEFAULT_PROFILE:-openai}",
            description = "provider profile: openai, ovhcloud, nebius, generic, or one defined in "
                    + "BATCHLINE_PROFILES (default: ${DEFAULT-VALUE})")
    String profileName;

    @Option(names = "--json", description = "print one JSON report on stdout instead of a readable one")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ObjectMapper mapper = Json.mapper();
        ProviderProfile profile;
        try {
            profile = ProviderProfiles.withOverrides(System.getenv("BATCHLINE_PROFILES"), mapper).require(profileName);
        } catch (IllegalArgumentException e) {
            err.println("batchline validate: " + e.getMessage());
            return ERROR;
        }
        Checked checked;
        try {
            checked = check(file, profile);
        } catch (java.nio.file.NoSuchFileException e) {
            err.println("batchline validate: no such file: " + file);
            return ERROR;
        } catch (IOException e) {
            err.println("batchline validate: cannot read " + file + ": " + e);
            return ERROR;
        }
        if (json) {
            out.println(checked.toJson(mapper));
        } else {
            printReadable(out, file, checked);
        }
        out.flush();
        return checked.accepted() ? VALID : INVALID;
    }

    /**
     * What the upload trigger would decide: the validation report, and with a profile's spending
     * limits, the estimate and why the job is over them.
     *
     * @param estimate  null when the profile sets no cost limit
     * @param overLimit null when within the limits (or the file is invalid)
     */
    record Checked(ValidationReport report, SpendEstimate.Report estimate, String overLimit) {

        boolean accepted() {
            return report.valid() && overLimit == null;
        }

        String toJson(ObjectMapper mapper) {
            ObjectNode node = mapper.valueToTree(report);
            node.put("valid", accepted());
            if (estimate != null || overLimit != null) {
                ObjectNode spending = node.putObject("spending");
                if (estimate != null) {
                    spending.setAll((ObjectNode) mapper.valueToTree(estimate));
                }
                spending.put("overLimit", overLimit);
            }
            return Json.write(mapper, node);
        }
    }

    /** The upload trigger's checks of {@code file}, in one streaming pass, its spending guard included. */
    static Checked check(Path file, ProviderProfile profile) throws IOException {
        PartSplitter splitter = new PartSplitter(profile, PartStore.discarding());
        SpendEstimate estimate = profile.spending().estimates()
                ? new SpendEstimate(splitter, profile.spending(), Json.mapper()) : null;
        ValidationReport report;
        try (InputStream in = Files.newInputStream(file)) {
            report = new BatchFileValidator(profile, ValidatorSettings.DEFAULTS).validate(in, Files.size(file),
                    estimate == null ? splitter : estimate);
        }
        String overLimit = report.valid() ? SpendingGuard.overLimit(profile.spending(), report.requests(), estimate)
                .orElse(null) : null;
        return new Checked(report, estimate == null ? null : estimate.report(), overLimit);
    }

    static void printReadable(PrintWriter out, Path file, Checked checked) {
        printReadable(out, file, checked.report());
        if (checked.estimate() != null) {
            SpendEstimate.Report estimate = checked.estimate();
            out.printf("  estimated cost: %s %s%s%n", SpendEstimate.money(estimate.estimatedCost()),
                    estimate.currency(), estimate.limit() == null ? ""
                    : " (limit " + SpendEstimate.plain(estimate.limit()) + ")");
        }
        if (checked.overLimit() != null) {
            out.printf("  REJECTED %s: %s%n", RejectionReport.OVER_SPENDING_LIMIT, checked.overLimit());
        }
    }

    private static void printReadable(PrintWriter out, Path file, ValidationReport report) {
        if (report.valid()) {
            out.printf("%s is valid for profile %s%n", file, report.profile());
        } else {
            out.printf("%s is INVALID for profile %s: %d problem(s)%n", file, report.profile(), report.errorCount());
        }
        out.printf("  requests: %d, bytes: %d, endpoint: %s, model: %s%n", report.requests(), report.bytes(),
                orNone(report.endpoint()), report.model() == null ? "(none or several)" : report.model());
        if (report.valid()) {
            out.printf("  provider batches: %d%n", report.parts());
            return;
        }
        for (ValidationIssue issue : report.errors()) {
            out.printf("  %s  %-22s %s%s%n", issue.line() == null ? "file" : "line " + issue.line(),
                    issue.code().code(), issue.param() == null ? "" : "[" + issue.param() + "] ", issue.message());
        }
        if (report.errorCount() > report.errors().size()) {
            out.printf("  ... and %d more problem(s) not listed%n", report.errorCount() - report.errors().size());
        }
    }

    private static String orNone(String value) {
        return value == null ? "(none)" : value;
    }
}
