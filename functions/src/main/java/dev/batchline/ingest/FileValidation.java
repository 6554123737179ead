package dev.batchline.ingest;

import dev.batchline.provider.ProviderProfile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A local file's validation on every core: the file is cut into ranges of whole lines, each
 * validated on a thread of its own, and the parts are counted from the lengths of the lines.
 *
 * <p>A range does not know what comes before it (the first url and model, the ids, how many requests
 * and bytes), so the ranges can only prove a file valid: every range without a problem, all of them
 * agreeing on the url and (where the profile asks for one) the model, no id in two of them, the
 * file's limits kept. At the first doubt the ranges stop, and the file is validated again from its
 * start in one pass, for the report that pass gives: the same line numbers, messages and order as
 * the upload trigger's. A valid file costs one read; an invalid one, a little more than two.
 *
 * <p>Memory: each range reads through its own buffer, one line length (4 bytes) is kept per request,
 * and the ranges stop once they hold more requests than the profile takes in a file, so their id
 * tables hold what one table would; merging them grows the first, at most doubling that while the
 * others are still held. Bounded by the profile's limits, never by the file.
 */
public final class FileValidation {

    /** Below this much per range, a thread costs more than it saves. */
    static final long MIN_RANGE_BYTES = 16L * 1024 * 1024;

    private final ProviderProfile profile;
    private final ValidatorSettings settings;
    private final int threads;
    private final long minRangeBytes;

    public FileValidation(ProviderProfile profile, ValidatorSettings settings) {
        this(profile, settings, Runtime.getRuntime().availableProcessors(), MIN_RANGE_BYTES);
    }

    FileValidation(ProviderProfile profile, ValidatorSettings settings, int threads, long minRangeBytes) {
        this.profile = profile;
        this.settings = settings;
        this.threads = threads;
        this.minRangeBytes = minRangeBytes;
    }

    /** The report {@link BatchFileValidator} gives for {@code file}, its parts counted as {@link PartSplitter} cuts them. */
    public ValidationReport validate(Path file) throws IOException {
        long size = Files.size(file);
        long[] starts = rangeStarts(file, size);
        if (starts.length > 1) {
            ValidationReport report = validateRanges(file, size, starts);
            if (report != null) {
                return report;
            }
        }
        try (InputStream in = Files.newInputStream(file)) {
            return new BatchFileValidator(profile, settings).validate(in, size,
                    new PartSplitter(profile, PartStore.discarding()));
        }
    }

    /**
     * Where the ranges start: at even shares of the file, each moved on to the start of a line. One
     * range when the file is small, or when a share's end falls in a line longer than the profile
     * allows (that line is a problem the single pass reports).
     */
    private long[] rangeStarts(Path file, long size) throws IOException {
        int ranges = (int) Math.max(1, Math.min(threads, size / minRangeBytes));
        long[] starts = new long[ranges];
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        try (FileChannel channel = FileChannel.open(file)) {
            for (int i = 1; i < ranges; i++) {
                long lineStart = nextLineStart(channel, size * i / ranges, buffer);
                if (lineStart < 0 || lineStart <= starts[i - 1] || lineStart >= size) {
                    return new long[] {0};
                }
                starts[i] = lineStart;
            }
        }
        return starts;
    }

    /** Just past the first newline at or after {@code from}, looking no further than a line may be long; else -1. */
    private long nextLineStart(FileChannel channel, long from, ByteBuffer buffer) throws IOException {
        long limit = from + profile.maxLineBytes() + 2L;
        long position = from;
        while (position < limit) {
            buffer.clear();
            int read = channel.read(buffer, position);
            if (read <= 0) {
                return -1;
            }
            for (int i = 0; i < read; i++) {
                if (buffer.get(i) == '\n') {
                    return position + i + 1;
                }
            }
            position += read;
        }
        return -1;
    }

    /** The report when the ranges prove the file valid; null at the first doubt. */
    private ValidationReport validateRanges(Path file, long size, long[] starts) throws IOException {
        Doubt doubt = new Doubt(profile.fileRequestLimit());
        ExecutorService pool = Executors.newFixedThreadPool(starts.length);
        try {
            List<Future<RangeResult>> futures = new ArrayList<>();
            for (int i = 0; i < starts.length; i++) {
                long from = starts[i];
                long to = i + 1 < starts.length ? starts[i + 1] : size;
                futures.add(pool.submit(() -> validateRange(file, from, to, doubt)));
            }
            List<RangeResult> results = new ArrayList<>();
            for (Future<RangeResult> future : futures) {
                results.add(await(future));
            }
            return doubt.raised() ? null : merge(results, size);
        } finally {
            pool.shutdownNow();
        }
    }

    private RangeResult validateRange(Path file, long from, long to, Doubt doubt) throws IOException {
        LineLengths lengths = new LineLengths(doubt);
        try (FileChannel channel = FileChannel.open(file)) {
            BatchFileValidator.Range range = new BatchFileValidator(profile, settings).validateRange(
                    new RangeStream(channel, from, to, doubt), to - from, from == 0, lengths);
            if (range.problems() > 0) {
                doubt.raise();
            }
            return new RangeResult(range, lengths);
        } catch (IOException | RuntimeException | Error e) {
            doubt.raise(); // the other ranges' outcome no longer matters
            throw e;
        }
    }

    private static RangeResult await(Future<RangeResult> future) throws IOException {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while validating", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IllegalStateException("validating a range failed", e.getCause());
        }
    }

    /** The whole file's report from its ranges, each without a problem; null when they disagree. */
    private ValidationReport merge(List<RangeResult> results, long size) {
        BatchFileValidator.Range first = results.get(0).range();
        CustomIdSet ids = first.customIds();
        String model = first.model();
        long requests = 0;
        long requestBytes = 0;
        PartFill fill = new PartFill(profile);
        for (RangeResult result : results) {
            requests += result.range().requests();
            requestBytes += result.range().requestBytes();
        }
        if (requests > profile.fileRequestLimit() || requestBytes > profile.fileByteLimit()) {
            return null;
        }
        for (RangeResult result : results) {
            BatchFileValidator.Range range = result.range();
            if (!Objects.equals(first.firstUrl(), range.firstUrl())
                    || range != first && !ids.addAll(range.customIds())) {
                return null;
            }
            if (!Objects.equals(model, range.model())) {
                if (profile.oneModelPerFile()) {
                    return null;
                }
                model = null;
            }
            result.lengths().addTo(fill);
        }
        if (fill.parts() > WorkflowInput.MAX_PARTS) {
            return null;
        }
        return new ValidationReport(true, profile.name(), first.firstUrl(), model, requests, size, fill.parts(), 0,
                List.of());
    }

    private record RangeResult(BatchFileValidator.Range range, LineLengths lengths) {
    }

    /**
     * Raised at a range's first problem, when a range fails, or when the ranges together pass the
     * file's request limit: then every range stops, and no range holds more than the limit's ids.
     */
    private static final class Doubt {
        private final AtomicBoolean raised = new AtomicBoolean();
        private final AtomicLong requests = new AtomicLong();
        private final long requestLimit;

        Doubt(long requestLimit) {
            this.requestLimit = requestLimit;
        }

        void raise() {
            raised.set(true);
        }

        boolean raised() {
            return raised.get();
        }

        void countRequests(long more) {
            if (requests.addAndGet(more) > requestLimit) {
                raise();
            }
        }
    }

    /** The lengths of a range's request lines, in order; a problem raises the doubt that stops every range. */
    private static final class LineLengths implements LineSink {
        /** Requests told to the doubt at once: the threads need not share a counter at every line. */
        private static final int COUNTED_TOGETHER = 4096;

        private final Doubt doubt;
        private int[] lengths = new int[1024];
        private int count;

        LineLengths(Doubt doubt) {
            this.doubt = doubt;
        }

        @Override
        public int accept(byte[] line, int offset, int length, char[] id, int idLength, long first, int second) {
            if (count == lengths.length) {
                lengths = Arrays.copyOf(lengths, count * 2);
            }
            lengths[count++] = length;
            if (count % COUNTED_TOGETHER == 0) {
                doubt.countRequests(COUNTED_TOGETHER);
            }
            return 1;
        }

        @Override
        public void abandon() {
            doubt.raise();
        }

        @Override
        public int finish() {
            return 0;
        }

        void addTo(PartFill fill) {
            for (int i = 0; i < count; i++) {
                fill.add(lengths[i] + 1L);
            }
        }
    }

    /** Bytes {@code [from, to)} of a file; it ends early once a doubt is raised, the range's outcome no longer mattering. */
    private static final class RangeStream extends InputStream {
        private final FileChannel channel;
        private final Doubt doubt;
        private final long to;
        private long position;

        RangeStream(FileChannel channel, long from, long to, Doubt doubt) {
            this.channel = channel;
            this.position = from;
            this.to = to;
            this.doubt = doubt;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (position >= to || doubt.raised()) {
                return -1;
            }
            int read = channel.read(ByteBuffer.wrap(buffer, offset, (int) Math.min(length, to - position)), position);
            if (read > 0) {
                position += read;
            }
            return read;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }
    }
}
