package dev.batchline.notify;

import dev.batchline.job.JobStatus;
import dev.batchline.job.PartOutcome;
import java.time.Duration;

/**
 * Figures for operators, beside the events for consumers: how old running jobs are (an alarm
 * fires when one outlives its completion window) and how finished jobs came out.
 */
public interface JobMetrics {

    String JOB_AGE = "RunningJobAgeSeconds";
    String RECORDS_SUCCEEDED = "RecordsSucceeded";
    String RECORDS_FAILED = "RecordsFailed";
    String JOBS_COMPLETED = "JobsCompleted";
    String JOBS_FAILED = "JobsFailed";

    /** No figures: local runs and tests, where nothing collects them. */
    JobMetrics NONE = new JobMetrics() {
        @Override
        public void runningJobAge(Duration age) {
        }

        @Override
        public void jobFinished(JobStatus status, PartOutcome outcome) {
        }
    };

    /** Called at every poll of a running job's batch. */
    void runningJobAge(Duration age);

    void jobFinished(JobStatus status, PartOutcome outcome);
}
