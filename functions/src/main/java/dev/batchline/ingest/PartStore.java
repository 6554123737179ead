package dev.batchline.ingest;

import java.io.IOException;
import java.io.OutputStream;

/** Where the parts of a valid file are written. */
public interface PartStore {

    /** Opens part {@code partNumber} (from 1); the caller writes it and calls {@link PartOutput#commit()}. */
    PartOutput open(int partNumber) throws IOException;

    /** Removes every part written or begun: the file turned out invalid. */
    void discardAll() throws IOException;

    /** One part being written. */
    interface PartOutput {
        /** Where the part's request lines go. */
        OutputStream stream();

        /** The custom_id of the request line just written, decoded, with its fingerprint. */
        void addId(char[] id, int length, long first, int second) throws IOException;

        /** Makes the part durable; returns where it is (an S3 key, or null when nothing is kept). */
        String commit() throws IOException;
    }

    /** Counts parts without keeping them: what the command-line validation needs. */
    static PartStore discarding() {
        return new PartStore() {
            @Override
            public PartOutput open(int partNumber) {
                return new PartOutput() {
                    @Override
                    public OutputStream stream() {
                        return OutputStream.nullOutputStream();
                    }

                    @Override
                    public void addId(char[] id, int length, long first, int second) {
                    }

                    @Override
                    public String commit() {
                        return null;
                    }
                };
            }

            @Override
            public void discardAll() {
            }
        };
    }
}
