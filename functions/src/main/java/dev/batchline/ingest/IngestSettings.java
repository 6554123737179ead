package dev.batchline.ingest;

import java.time.Duration;

/**
 * @param defaultProfile   the profile of files directly under {@code inbox/}
 * @param validator        what a validation lists and parses
 * @param uploadPartBytes  S3 multipart part size when staging parts (memory held per open part)
 * @param validationLease  how long a reader holds a job before a redelivered event may take it over;
 *                         longer than the upload function's timeout
 */
public record IngestSettings(String defaultProfile, ValidatorSettings validator, int uploadPartBytes,
        Duration validationLease) {
}
