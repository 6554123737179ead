package dev.batchline.job;

/**
 * The uploaded object a job was made from.
 *
 * @param versionId null when the bucket is not versioned
 * @param etag      the object's ETag, without quotes
 */
public record SourceObject(String bucket, String key, String versionId, String etag, long size) {

    /** What tells this upload from another of the same key. */
    public String version() {
        return versionId != null && !versionId.isEmpty() ? versionId : etag;
    }
}
