package dev.batchline.ingest;

import dev.batchline.job.StagedPart;
import dev.batchline.provider.ProviderProfile;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts the request lines of a file into parts that each fit one provider batch (request count and
 * bytes), writing them with normalised line endings, and each part's custom_ids beside it. Parts fill greedily in file order, so the
 * same file always gives the same parts.
 */
public final class PartSplitter implements LineSink {

    private static final byte NEWLINE = '\n';

    private final ProviderProfile profile;
    private final PartStore store;
    private final List<StagedPart> parts = new ArrayList<>();

    private PartStore.PartOutput current;
    private OutputStream currentStream;
    private int currentRequests;
    private long currentBytes;
    private int currentFirstLine;
    private int linesSeen;

    public PartSplitter(ProviderProfile profile, PartStore store) {
        this.profile = profile;
        this.store = store;
    }

    @Override
    public int accept(byte[] line, int offset, int length, char[] id, int idLength, long first, int second)
            throws IOException {
        linesSeen++;
        long lineBytes = length + 1L;
        if (current != null && (currentRequests + 1 > profile.maxRequestsPerBatch()
                || currentBytes + lineBytes > profile.maxBytesPerBatch())) {
            commitCurrent();
        }
        if (current == null) {
            current = store.open(parts.size() + 1);
            currentStream = current.stream();
            currentRequests = 0;
            currentBytes = 0;
            currentFirstLine = linesSeen;
        }
        currentStream.write(line, offset, length);
        currentStream.write(NEWLINE);
        current.addId(id, idLength, first, second);
        currentRequests++;
        currentBytes += lineBytes;
        return parts.size() + 1;
    }

    private void commitCurrent() throws IOException {
        String key = current.commit();
        parts.add(new StagedPart(parts.size() + 1, key, currentFirstLine, currentRequests, currentBytes));
        current = null;
        currentStream = null;
    }

    @Override
    public void abandon() throws IOException {
        current = null;
        currentStream = null;
        parts.clear();
        store.discardAll();
    }

    @Override
    public int finish() throws IOException {
        if (current != null) {
            commitCurrent();
        }
        return parts.size();
    }

    /** The parts written, once {@link #finish()} has returned. */
    public List<StagedPart> parts() {
        return List.copyOf(parts);
    }
}
