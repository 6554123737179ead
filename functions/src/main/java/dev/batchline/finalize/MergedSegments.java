package dev.batchline.finalize;

import dev.batchline.job.MergedSegment;
import dev.batchline.storage.S3Layout;
import dev.batchline.storage.S3ObjectOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A slice's share of the job's merged output: its results and its error records, each streamed as
 * it comes into one segment object (memory: one upload part each), closed at the slice's end and
 * then listed with the checkpoint that commits it.
 */
final class MergedSegments {

    private final S3Client s3;
    private final RecordSink.Target target;
    private final Writer[] writers = new Writer[2];
    private int slice;

    MergedSegments(S3Client s3, RecordSink.Target target) {
        this.s3 = s3;
        this.target = target;
    }

    /** Where a record appended now lands: its segment and line (1-based). */
    record Place(String key, long line) {
    }

    Place append(boolean succeeded, byte[] record) {
        int index = succeeded ? 0 : 1;
        if (writers[index] == null) {
            String key = S3Layout.mergedSegment(target.jobId(), succeeded, target.partNumber(), target.run(), slice);
            writers[index] = new Writer(key, succeeded, new S3ObjectOutputStream(s3, target.bucket(), key,
                    "application/jsonl", S3ObjectOutputStream.MIN_PART_BYTES));
        }
        Writer writer = writers[index];
        try {
            writer.out.write(record);
            writer.out.write('\n');
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + writer.key, e);
        }
        writer.lines++;
        writer.bytes += record.length + 1L;
        return new Place(writer.key, writer.lines);
    }

    /** Closes the slice's segments (nothing is visible before): the segments to commit. */
    List<MergedSegment> close() {
        List<MergedSegment> closed = new ArrayList<>();
        for (int i = 0; i < writers.length; i++) {
            Writer writer = writers[i];
            if (writer == null) {
                continue;
            }
            writers[i] = null;
            try {
                writer.out.close();
            } catch (IOException e) {
                throw new UncheckedIOException("writing " + writer.key, e);
            }
            closed.add(new MergedSegment(writer.key, writer.succeeded, writer.lines, writer.bytes));
        }
        slice++;
        return closed;
    }

    private static final class Writer {
        private final String key;
        private final boolean succeeded;
        private final S3ObjectOutputStream out;
        private long lines;
        private long bytes;

        Writer(String key, boolean succeeded, S3ObjectOutputStream out) {
            this.key = key;
            this.succeeded = succeeded;
            this.out = out;
        }
    }
}
