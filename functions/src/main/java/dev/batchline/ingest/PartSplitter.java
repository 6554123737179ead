package dev.batchline.ingest;

import dev.batchline.job.StagedPart;
import dev.batchline.provider.ProviderProfile;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts the request lines of a file into parts that each fit one provider batch ({@link PartFill}),
 * writing them with normalised line endings, and each part's custom_ids beside it.
 */
public final class PartSplitter implements LineSink {

    private static final byte NEWLINE = '\n';

    private final PartFill fill;
    private final PartStore store;
    private final List<StagedPart> parts = new ArrayList<>();

    private PartStore.PartOutput current;
    private OutputStream currentStream;
    private int currentFirstLine;
    private int linesSeen;

    public PartSplitter(ProviderProfile profile, PartStore store) {
        this.fill = new PartFill(profile);
        this.store = store;
    }

    @Override
    public int accept(byte[] line, int offset, int length, char[] id, int idLength, long first, int second)
            throws IOException {
        linesSeen++;
        long lineBytes = length + 1L;
        if (current != null && fill.startsPart(lineBytes)) {
            commitCurrent();
        }
        if (current == null) {
            current = store.open(parts.size() + 1);
            currentStream = current.stream();
            currentFirstLine = linesSeen;
        }
        currentStream.write(line, offset, length);
        currentStream.write(NEWLINE);
        current.addId(id, idLength, first, second);
        fill.add(lineBytes);
        return parts.size() + 1;
    }

    private void commitCurrent() throws IOException {
        String key = current.commit();
        parts.add(new StagedPart(parts.size() + 1, key, currentFirstLine, fill.requests(), fill.bytes()));
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
