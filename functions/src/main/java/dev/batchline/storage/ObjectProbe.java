package dev.batchline.storage;

import java.util.OptionalLong;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Whether an object the pipeline may not have written yet is there, found by listing its key as a
 * prefix: a read of a missing key is answered 404 only to a caller that may list the whole bucket
 * (403 otherwise), while a listing under a folder can be granted for that folder alone.
 */
public final class ObjectProbe {

    private ObjectProbe() {
    }

    /** The object's size, or empty when there is none. */
    public static OptionalLong size(S3Client s3, String bucket, String key) {
        // Keys that merely start with this one sort after it, so the first listed is the key itself if it is there.
        for (S3Object object : s3.listObjectsV2(r -> r.bucket(bucket).prefix(key).maxKeys(1)).contents()) {
            if (object.key().equals(key)) {
                return OptionalLong.of(object.size());
            }
        }
        return OptionalLong.empty();
    }
}
