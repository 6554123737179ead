package dev.batchline.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchline.config.Json;
import dev.batchline.ingest.BatchFileValidator;
import dev.batchline.ingest.FileValidation;
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
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code batchline validate}: the upload trigger's checks, on a local file, before anything is uploaded. */
@Command(name = ValidateCommand.NAME, mixinStandardHelpOptions = true,
        description = "Checks a batch file (OpenAI batch JSONL) against a provider profile's rules and limits.%n"
                + "Exit status: 0 valid, 1 invalid, 2 usage or I/O error.")
final class ValidateCommand implements Callable<Integer> {

    static final int VALID = 0;
    static final int INVALID = 1;
    static final int ERROR = 2;

    static final String NAME = "validate";
    private static final String PROFILE_OPTION = "--profile";
    private static final String JSON_OPTION = "--json";
    private static final String DEFAULT_PROFILE_VARIABLE = "BATCHLINE_DEFAULT_PROFILE";
    private static final String DEFAULT_PROFILE = "openai";

    @Parameters(paramLabel = "FILE", description = "the JSONL batch file")
    Path file;

    @Option(names = PROFILE_OPTION, paramLabel = "NAME",
            defaultValue = "${env:" + DEFAULT_PROFILE_VARIABLE + ":-" + DEFAULT_PROFILE + "}",
            description = "provider profile: openai, ovhcloud, nebius, generic, or one defined in "
                    + "BATCHLINE_PROFILES (default: ${DEFAULT-VALUE})")
    String profileName;

    @Option(names = JSON_OPTION, description = "print one JSON report on stdout instead of a readable one")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /**
     * The command for {@code args} when they are a validation of one file with at most
     * {@code --profile} and {@code --json}: run so, it needs no command-line model, whose making
     * costs more than validating a small file. Empty for anything else (help, an unknown or
     * repeated option, an argument file, {@code --}), which picocli reads and answers.
     */
    static Optional<ValidateCommand> plainInvocation(String[] args) {
        if (args.length < 2 || !args[0].equals(NAME)) {
            return Optional.empty();
        }
        ValidateCommand command = new ValidateCommand();
        for (int i = 1; i < args.length; i++) {
            String arg = args[i];
            String profile = arg.equals(PROFILE_OPTION) && i + 1 < args.length ? args[++i]
                    : arg.startsWith(PROFILE_OPTION + "=") ? arg.substring(PROFILE_OPTION.length() + 1) : null;
            if (profile != null) {
                if (command.profileName != null || !isPlainValue(profile)) {
                    return Optional.empty();
                }
                command.profileName = profile;
            } else if (arg.equals(JSON_OPTION) && !command.json) {
                command.json = true;
            } else if (command.file == null && isPlainValue(arg)) {
                try {
                    command.file = Path.of(arg);
                } catch (InvalidPathException e) {
                    return Optional.empty();
                }
            } else {
                return Optional.empty();
            }
        }
        if (command.file == null) {
            return Optional.empty();
        }
        if (command.profileName == null) {
            String fromEnvironment = System.getenv(DEFAULT_PROFILE_VARIABLE);
            if (fromEnvironment != null && !isPlainValue(fromEnvironment)) {
                return Optional.empty();
            }
            command.profileName = fromEnvironment == null ? DEFAULT_PROFILE : fromEnvironment;
        }
        return Optional.of(command);
    }

    /** Taken as it is by picocli too: not empty, no option, no argument file, nothing to interpolate. */
    private static boolean isPlainValue(String value) {
        return !value.isEmpty() && !value.startsWith("-") && !value.startsWith("@") && !value.contains("$");
    }

    @Override
    public Integer call() {
        return run(spec.commandLine().getOut(), spec.commandLine().getErr());
    }

    int run(PrintWriter out, PrintWriter err) {
        String overrides = System.getenv("BATCHLINE_PROFILES");
        ProviderProfile profile;
        try {
            profile = ProviderProfiles.withOverrides(overrides, overrides == null ? null : Json.mapper())
                    .require(profileName);
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
            out.println(checked.toJson(Json.mapper()));
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

    /**
     * The upload trigger's checks of {@code file}, its spending guard included: on every core, or in
     * one streaming pass when the profile's spending is estimated (the estimate reads the lines in order).
     */
    static Checked check(Path file, ProviderProfile profile) throws IOException {
        SpendEstimate estimate = null;
        ValidationReport report;
        if (profile.spending().estimates()) {
            estimate = new SpendEstimate(new PartSplitter(profile, PartStore.discarding()), profile.spending(),
                    Json.mapper());
            try (InputStream in = Files.newInputStream(file)) {
                report = new BatchFileValidator(profile, ValidatorSettings.DEFAULTS).validate(in, Files.size(file),
                        estimate);
            }
        } else {
            report = new FileValidation(profile, ValidatorSettings.DEFAULTS).validate(file);
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
