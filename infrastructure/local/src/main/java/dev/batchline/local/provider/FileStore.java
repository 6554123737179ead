package dev.batchline.local.provider;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** The local provider's files: metadata in memory, content on disk in a folder of its own. */
final class FileStore implements AutoCloseable {

    record StoredFile(String id, String filename, String purpose, long bytes, Instant createdAt, Path path) {
    }

    private final Path directory;
    private final Map<String, StoredFile> files = new ConcurrentHashMap<>();
    private final AtomicLong contentSequence = new AtomicLong();
    private final AtomicLong idSequence = new AtomicLong();

    FileStore() throws IOException {
        this.directory = Files.createTempDirectory("batchline-provider");
    }

    /** A new, empty file to be written by the caller and then {@linkplain #register registered}. */
    Path newContentPath() {
        return directory.resolve("content-" + contentSequence.incrementAndGet());
    }

    StoredFile register(Path content, String filename, String purpose, Instant now) throws IOException {
        String id = "file-" + String.format("%06d", idSequence.incrementAndGet());
        StoredFile file = new StoredFile(id, filename, purpose, Files.size(content), now, content);
        files.put(id, file);
        return file;
    }

    Optional<StoredFile> find(String id) {
        return Optional.ofNullable(files.get(id));
    }

    boolean delete(String id) {
        StoredFile removed = files.remove(id);
        if (removed == null) {
            return false;
        }
        try {
            Files.deleteIfExists(removed.path());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return true;
    }

    /** Oldest first. */
    List<StoredFile> list() {
        List<StoredFile> all = new ArrayList<>(files.values());
        all.sort(Comparator.comparing(StoredFile::id));
        return all;
    }

    @Override
    public void close() throws IOException {
        Directories.deleteTree(directory);
    }
}
