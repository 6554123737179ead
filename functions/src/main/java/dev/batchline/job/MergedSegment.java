package dev.batchline.job;

/**
 * A piece of a job's merged output: the results ({@code succeeded}) or error records one finalize
 * slice of a part wrote, in order. A part's segments are listed with the checkpoints that commit
 * them, so a slice done again after a crash writes a new segment and only the committed one counts.
 *
 * @param lines records in the segment, one a line
 * @param bytes the segment's size
 */
public record MergedSegment(String key, boolean succeeded, long lines, long bytes) {
}
