package dev.batchline.operate;

/** The stack a command names cannot be found or is not a Batchline stack; the message says which. */
public final class StackNotFoundException extends RuntimeException {

    public StackNotFoundException(String message) {
        super(message);
    }
}
