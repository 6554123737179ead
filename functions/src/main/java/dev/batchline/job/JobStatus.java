package dev.batchline.job;

/** Where a job stands. */
public enum JobStatus {
    /** The upload is being read and checked; the lease says until when the reader holds it. */
    VALIDATING,
    /** The file was refused; nothing was sent to a provider. */
    REJECTED,
    /** The file is split into staged parts and the workflow is being started. */
    SUBMITTING,
    /** The workflow runs: its execution is named by the job id. */
    RUNNING,
    /**
     * Every part has ended and the manifest is written: its requests accounted in results/ or
     * errors/, those of a part that failed alone as {@code part_failed} errors.
     */
    COMPLETED,
    /**
     * The workflow itself failed: its unfinished parts' requests became {@code job_failed} errors as
     * far as they could, and the manifest says whether every request is accounted.
     */
    FAILED;

    /** The job ended with its manifest written: no other ending can follow. */
    public boolean isFinal() {
        return this == COMPLETED || this == FAILED;
    }
}
