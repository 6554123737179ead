package dev.batchline.local;

import java.io.PrintWriter;

/** A one-line progress display on standard error, redrawn at each whole percent. */
final class ProgressBar {

    private static final int WIDTH = 30;

    private final PrintWriter err;
    private final String label;
    private final long total;
    private final boolean shown;
    private int drawn = -1;

    ProgressBar(PrintWriter err, String label, long total, boolean shown) {
        this.err = err;
        this.label = label;
        this.total = total;
        this.shown = shown;
    }

    void update(long done) {
        int percent = total == 0 ? 100 : (int) (done * 100 / total);
        if (!shown || percent == drawn) {
            return;
        }
        drawn = percent;
        int filled = percent * WIDTH / 100;
        err.printf("\r%s [%s%s] %3d%% (%,d of %,d bytes)", label, "#".repeat(filled), " ".repeat(WIDTH - filled),
                percent, done, total);
        err.flush();
    }

    void done() {
        if (shown && drawn >= 0) {
            err.println();
            err.flush();
        }
    }
}
