package dev.batchline.job;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * A job's id: a slug of the file name and a short hash of the exact object version, so a duplicate
 * S3 event finds the existing job and a re-upload starts a new one. It is also the Step Functions
 * execution name (at most 80 of {@code [A-Za-z0-9-_]}) and the S3 prefix of the job's objects.
 */
public final class JobId {

    private static final int MAX_SLUG = 40;
    private static final int HASH_HEX_CHARS = 12;

    private JobId() {
    }

    /**
     * @param version the object's version id, or its ETag when the bucket is not versioned
     */
    public static String of(String bucket, String key, String version) {
        String fileName = key.substring(key.lastIndexOf('/') + 1);
        if (fileName.toLowerCase(Locale.ROOT).endsWith(".jsonl")) {
            fileName = fileName.substring(0, fileName.length() - ".jsonl".length());
        }
        String slug = fileName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        if (slug.length() > MAX_SLUG) {
            slug = slug.substring(0, MAX_SLUG).replaceAll("-+$", "");
        }
        if (slug.isEmpty()) {
            slug = "batch";
        }
        return slug + "-" + hash(bucket + "\n" + key + "\n" + version);
    }

    private static String hash(String value) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, HASH_HEX_CHARS);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java runtime", e);
        }
    }
}
