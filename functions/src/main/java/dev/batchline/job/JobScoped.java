package dev.batchline.job;

/** An input that belongs to one job, so what handling it costs can be counted to the job. */
public interface JobScoped {

    String jobId();
}
