package dev.batchline.lambda;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchline.finalize.FinalizeSettings;
import dev.batchline.finalize.RecordEvents;
import dev.batchline.finalize.RecordOutputs;
import dev.batchline.ingest.IngestSettings;
import dev.batchline.ingest.ValidatorSettings;
import dev.batchline.job.DynamoJobStore;
import dev.batchline.provider.ProviderProfiles;
import java.time.Duration;
import java.util.Map;

/**
 * Configuration, read once from the environment at cold start.
 *
 * <table>
 *   <caption>Environment variables</caption>
 *   <tr><td>JOBS_TABLE_NAME</td><td>DynamoDB table of jobs and parts (required)</td></tr>
 *   <tr><td>EVENTS_QUEUE_URL</td><td>SQS queue of events for consumers (required)</td></tr>
 *   <tr><td>STATE_MACHINE_ARN</td><td>the Batchline state machine (required by the upload function)</td></tr>
 *   <tr><td>BATCHLINE_RECORD_EVENTS</td><td>per-record events: all, failures or none (all)</td></tr>
 *   <tr><td>BATCHLINE_FINALIZE_SLICE</td><td>records written between two saved cursors (20000)</td></tr>
 *   <tr><td>BATCHLINE_DEFAULT_PROFILE</td><td>profile of files directly under inbox/ (openai)</td></tr>
 *   <tr><td>BATCHLINE_PROFILES</td><td>JSON overrides of the provider profiles (none)</td></tr>
 *   <tr><td>BATCHLINE_MAX_LISTED_ERRORS</td><td>problems listed in a rejection report (100)</td></tr>
 *   <tr><td>BATCHLINE_MAX_JSON_DEPTH</td><td>deepest JSON nesting accepted in a request line (128)</td></tr>
 *   <tr><td>BATCHLINE_UPLOAD_PART_MB</td><td>S3 multipart part size when staging (8)</td></tr>
 *   <tr><td>BATCHLINE_RECORD_RETENTION_DAYS</td><td>days job and part records stay in the table (90)</td></tr>
 *   <tr><td>BATCHLINE_VALIDATION_LEASE_SECONDS</td><td>time before a stalled validation is taken over (960)</td></tr>
 * </table>
 */
public record BatchlineConfig(
        String jobsTableName,
        String eventsQueueUrl,
        String stateMachineArn,
        Duration recordRetention,
        ProviderProfiles profiles,
        IngestSettings ingest,
        FinalizeSettings finalizing) {

    public static BatchlineConfig fromEnvironment(Map<String, String> env, ObjectMapper mapper) {
        ProviderProfiles profiles = ProviderProfiles.withOverrides(env.get("BATCHLINE_PROFILES"), mapper);
        String defaultProfile = env.getOrDefault("BATCHLINE_DEFAULT_PROFILE", "openai");
        profiles.require(defaultProfile);
        ValidatorSettings validator = new ValidatorSettings(
                integer(env, "BATCHLINE_MAX_LISTED_ERRORS", ValidatorSettings.DEFAULTS.maxListedErrors()),
                integer(env, "BATCHLINE_MAX_JSON_DEPTH", ValidatorSettings.DEFAULTS.maxNestingDepth()),
                ValidatorSettings.DEFAULTS.readBufferBytes());
        IngestSettings ingest = new IngestSettings(defaultProfile, validator,
                integer(env, "BATCHLINE_UPLOAD_PART_MB", 8) * 1024 * 1024,
                Duration.ofSeconds(integer(env, "BATCHLINE_VALIDATION_LEASE_SECONDS", 960)));
        FinalizeSettings finalizing = new FinalizeSettings(
                integer(env, "BATCHLINE_FINALIZE_SLICE", FinalizeSettings.DEFAULTS.sliceRecords()),
                FinalizeSettings.DEFAULTS.putThreads(),
                RecordEvents.parse(env.getOrDefault("BATCHLINE_RECORD_EVENTS", "all")),
                RecordOutputs.parse(env.getOrDefault("BATCHLINE_RECORD_OUTPUTS", "both")),
                FinalizeSettings.DEFAULTS.safetyMargin());
        return new BatchlineConfig(required(env, "JOBS_TABLE_NAME"), required(env, "EVENTS_QUEUE_URL"),
                env.get("STATE_MACHINE_ARN"), Duration.ofDays(integer(env, "BATCHLINE_RECORD_RETENTION_DAYS",
                        (int) DynamoJobStore.DEFAULT_RETENTION.toDays())), profiles, ingest, finalizing);
    }

    /** The state machine, which only the upload function starts. */
    public String requireStateMachineArn() {
        if (stateMachineArn == null || stateMachineArn.isBlank()) {
            throw new IllegalStateException("environment variable STATE_MACHINE_ARN is required");
        }
        return stateMachineArn;
    }

    private static String required(Map<String, String> env, String name) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("environment variable " + name + " is required");
        }
        return value;
    }

    private static int integer(Map<String, String> env, String name, int defaultValue) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalStateException("environment variable " + name + " must be a whole number, got \""
                    + value + "\"", e);
        }
    }
}
