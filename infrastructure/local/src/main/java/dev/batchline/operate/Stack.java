package dev.batchline.operate;

import dev.batchline.config.AwsClients;

/**
 * A Batchline deployment the commands operate: where its bucket and job table are, and the clients
 * that reach them (a deployed stack's through the standard credential and region chain, the
 * local stack's through its emulators).
 *
 * @param name           the CloudFormation stack's name, or {@code local}
 * @param defaultProfile the profile a file uploaded straight under {@code inbox/} runs with, when known
 * @param profiles       the stack's {@code BATCHLINE_PROFILES}, when known (the local stack says;
 *                       a deployed one's are in its functions' configuration, not its outputs)
 */
public record Stack(String name, AwsClients clients, String bucket, String table, String eventsQueueUrl,
        String defaultProfile, String profiles) {

    /** The outputs a deployed stack (BatchlineStack) declares, by the names CloudFormation lists them. */
    public static final String BUCKET_OUTPUT = "InputBucketName";
    public static final String TABLE_OUTPUT = "JobsTableName";
    public static final String EVENTS_OUTPUT = "EventsQueueUrl";
    /** What a deployment runs a file under {@code inbox/} with, unless its configuration says otherwise. */
    public static final String DEPLOYED_DEFAULT_PROFILE = "openai";
}
