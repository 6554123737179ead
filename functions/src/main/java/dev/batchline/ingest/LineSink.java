package dev.batchline.ingest;

import java.io.IOException;

/** Receives the request lines of a file while it is still valid. */
public interface LineSink {

    /** One request line, without its line ending. */
    void accept(byte[] line, int offset, int length) throws IOException;

    /** The file turned out invalid: nothing accepted so far may be kept. No more calls follow. */
    void abandon() throws IOException;

    /** The file is valid and complete; returns how many parts it was written as. */
    int finish() throws IOException;
}
