package dev.batchline.job;

/**
 * One provider batch's worth of a validated file.
 *
 * @param partNumber 1-based
 * @param key        where the part was written, or null when it was only counted
 * @param firstLine  line of the uploaded file its first request came from
 * @param requests   request lines in the part
 * @param bytes      size of the part (LF line endings, no byte order mark)
 */
public record StagedPart(int partNumber, String key, int firstLine, int requests, long bytes) {
}
