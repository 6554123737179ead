package dev.batchline.local;

import dev.batchline.job.JobStatus;
import dev.batchline.operate.JobOperations;
import dev.batchline.operate.JobStateException;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;

/** Follows a job to its end, printing a line each time where it stands changes. */
final class JobFollower {

    /** An upload the trigger has not made a job of by then is not coming: the notification is broken. */
    static final Duration APPEAR_BOUND = Duration.ofMinutes(5);

    private final JobOperations operations;
    private final PrintWriter out;
    private final Duration interval;

    JobFollower(JobOperations operations, PrintWriter out, Duration interval) {
        this.operations = operations;
        this.out = out;
        this.interval = interval;
    }

    /**
     * Waits until the upload trigger has made the job of an upload, so its id can be used at once;
     * bounded by {@link #APPEAR_BOUND}.
     */
    void awaitRecord(String jobId) throws InterruptedException {
        Instant deadline = Instant.now().plus(APPEAR_BOUND);
        while (operations.find(jobId).isEmpty()) {
            if (Instant.now().isAfter(deadline)) {
                throw new JobStateException("no job " + jobId + " after " + APPEAR_BOUND.toMinutes()
                        + " minutes: the upload trigger has not taken the file (is the inbox notification set up?)");
            }
            Thread.sleep(interval.toMillis());
        }
    }

    /** Waits until the job ends or {@code bound} passes; returns the status it ended with. */
    JobStatus follow(String jobId, Duration bound) throws InterruptedException, IOException {
        Instant started = Instant.now();
        String last = "";
        while (true) {
            Duration waited = Duration.between(started, Instant.now());
            if (operations.find(jobId).isEmpty()) {
                if (waited.compareTo(APPEAR_BOUND) > 0) {
                    throw new JobStateException("no job " + jobId + " after " + APPEAR_BOUND.toMinutes()
                            + " minutes: the upload trigger has not taken the file (is the inbox notification set up?)");
                }
            } else {
                JobOperations.JobView view = operations.view(jobId);
                String line = JobDisplay.progressLine(view);
                if (!line.equals(last)) {
                    out.printf("[%4ds] %s%n", waited.toSeconds(), line);
                    out.flush();
                    last = line;
                }
                // The status is written just before the manifest: followed to the end means both are there.
                if (JobDisplay.ended(view.job().status()) && (!view.job().status().isFinal()
                        || operations.manifest(jobId).isPresent())) {
                    return view.job().status();
                }
            }
            if (waited.compareTo(bound) > 0) {
                throw new JobStateException("job " + jobId + " has not ended after " + bound.toMinutes()
                        + " minutes; it goes on: batchline status " + jobId + " --watch");
            }
            Thread.sleep(interval.toMillis());
        }
    }
}
