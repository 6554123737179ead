package dev.batchline.operate;

/** The stack has no job of that id. */
public final class JobNotFoundException extends RuntimeException {

    public JobNotFoundException(String jobId) {
        super("no job " + jobId + " in this stack (batchline jobs lists them)");
    }
}
