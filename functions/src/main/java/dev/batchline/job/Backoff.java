package dev.batchline.job;

import java.util.concurrent.ThreadLocalRandom;

/** Capped exponential backoff with full jitter, for retrying work a service left undone. */
final class Backoff {

    private static final long BASE_MILLIS = 50;
    private static final long CAP_MILLIS = 5_000;

    private Backoff() {
    }

    static void pause(int attempt) {
        long ceiling = Math.min(CAP_MILLIS, BASE_MILLIS << Math.min(attempt, 16));
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(ceiling + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while backing off", e);
        }
    }
}
