package dev.batchline.operate;

/** The job is not in a state the command can act on; the message says why and what to do. */
public final class JobStateException extends RuntimeException {

    public JobStateException(String message) {
        super(message);
    }
}
