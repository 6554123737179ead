package dev.batchline.job;

/**
 * Where FinalizePart stopped within its {@link FinalizePhase}, saved after each slice.
 *
 * @param offset     bytes read of the phase's file: the provider's output or error file, or the
 *                   part's ids file for {@link FinalizePhase#MISSING}
 * @param line       lines read of that file (the index of the next one)
 * @param checkpoint how many slices have been saved; a save names the one it follows, so two runs of
 *                   one part cannot both save the same step
 * @param seenKey    the object holding which of the part's requests have a record at this
 *                   checkpoint, or null before the first save
 */
public record FinalizeCursor(long offset, long line, int checkpoint, String seenKey) {

    public static final FinalizeCursor START = new FinalizeCursor(0, 0, 0, null);

    /** The next checkpoint at a new position, its seen-set in {@code key}. */
    public FinalizeCursor next(long nextOffset, long nextLine, String key) {
        return new FinalizeCursor(nextOffset, nextLine, checkpoint + 1, key);
    }
}
