package dev.batchline.ingest;

import java.io.IOException;

/** Receives the request lines of a file while it is still valid. */
public interface LineSink {

    /**
     * One request line, without its line ending, and its custom_id (decoded, {@code idLength} chars
     * of {@code id}) with the id's {@link dev.batchline.ids.Fingerprinter fingerprint}; returns the
     * number of the part the line went into.
     */
    int accept(byte[] line, int offset, int length, char[] id, int idLength, long first, int second)
            throws IOException;

    /** The file turned out invalid: nothing accepted so far may be kept. No more calls follow. */
    void abandon() throws IOException;

    /** The file is valid and complete; returns how many parts it was written as. */
    int finish() throws IOException;
}
