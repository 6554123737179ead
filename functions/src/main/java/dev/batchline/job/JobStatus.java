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
    /** Every request is accounted for in results/ or errors/, and the manifest is written. */
    COMPLETED,
    /** The workflow failed; the manifest says how far it got. */
    FAILED
}
