package dev.batchline.local.runtime;

import dev.batchline.storage.S3Layout;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * S3's upload notification for the local stack, whose S3 emulator sends none: lists {@code inbox/}
 * every interval and hands each new object version (key and ETag) to the upload trigger until it
 * takes it, as the queue does on AWS. A trigger that fails is tried again at the next listings,
 * five times in all, like the upload queue's redrive limit; one that finds the upload still held by
 * an earlier reader is asked again until that reader's lease runs out. The trigger is idempotent.
 */
final class InboxWatcher implements AutoCloseable {

    /**
     * What S3 would announce: a new object under the inbox. Answers whether it was taken: false
     * while an earlier reader of the same upload still holds it (its lease runs out, and the next
     * announcement takes it over), so the object is announced again.
     */
    @FunctionalInterface
    interface Trigger {
        boolean created(String key, String etag, long size) throws Exception;
    }

    static final int MAX_ATTEMPTS = 5;
    private static final Logger LOG = LoggerFactory.getLogger(InboxWatcher.class);

    private final S3Client s3;
    private final String bucket;
    private final Trigger trigger;
    private final Set<String> handled = new HashSet<>();
    private final Map<String, Integer> attempts = new HashMap<>();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "batchline-inbox-watcher");
        thread.setDaemon(true);
        return thread;
    });

    InboxWatcher(S3Client s3, String bucket, Trigger trigger) {
        this.s3 = s3;
        this.bucket = bucket;
        this.trigger = trigger;
    }

    void start(Duration interval) {
        scheduler.scheduleWithFixedDelay(this::sweep, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One listing of the inbox, each new object handed on; public to the package for tests. */
    void sweep() {
        try {
            for (S3Object object : s3.listObjectsV2Paginator(r -> r.bucket(bucket).prefix(S3Layout.INBOX)).contents()) {
                String etag = object.eTag().replace("\"", "");
                String version = object.key() + "\n" + etag;
                if (handled.contains(version)) {
                    continue;
                }
                try {
                    if (trigger.created(object.key(), etag, object.size())) {
                        handled.add(version);
                        attempts.remove(version);
                    }
                } catch (Exception e) {
                    int tried = attempts.merge(version, 1, Integer::sum);
                    LOG.warn("the upload trigger failed for {} (attempt {} of {})", object.key(), tried, MAX_ATTEMPTS, e);
                    if (tried >= MAX_ATTEMPTS) {
                        LOG.error("{} was not taken after {} attempts; upload it again to retry", object.key(), tried);
                        handled.add(version);
                        attempts.remove(version);
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("listing the inbox failed; trying again at the next sweep", e);
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
