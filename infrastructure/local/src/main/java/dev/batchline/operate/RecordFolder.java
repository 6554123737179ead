package dev.batchline.operate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchline.finalize.RecordKey;
import dev.batchline.storage.S3Layout;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A finished job copied out of the bucket into a folder: {@code manifest.json}, the merged
 * {@code output.jsonl} and {@code errors.jsonl} when the job wrote them, and on request (or when
 * there are no merged files) the per-record files in {@code results/records/} and
 * {@code errors/records/}, apart from the manifest so no record's name can meet its name.
 * A record's file is its record key and {@code .json}, as in S3, unless that would not do on every
 * file system: a key cut into segments (a long id) becomes its {@link RecordKey#hashed hash}, and a
 * name another record already took but for letter case ({@code ABC} beside {@code abc}, one file on
 * macOS and Windows) gets the hash as a suffix. Keys are listed in order, so the names are the
 * same on every run. {@code index.jsonl} maps each file to its custom_id.
 */
public final class RecordFolder {

    public static final String INDEX = "index.jsonl";
    private static final int COPY_THREADS = 8;
    private static final int COPIES_AHEAD = COPY_THREADS * 64;
    /** Longer than one S3 call may take, its retries included. */
    private static final Duration COPIES_END_WITHIN = Duration.ofMinutes(5);

    private final S3Client s3;
    private final String bucket;
    private final ObjectMapper mapper;

    public RecordFolder(S3Client s3, String bucket, ObjectMapper mapper) {
        this.s3 = s3;
        this.bucket = bucket;
        this.mapper = mapper;
    }

    /** What was copied: the merged files, if any, and whether the per-record files and their index were. */
    public record Copied(List<Path> merged, boolean records) {
    }

    /** Copies the job into {@code target}. */
    public Copied copyOut(String jobId, Path target, boolean records) throws IOException {
        copy(S3Layout.manifest(jobId), target.resolve("manifest.json"));
        JsonNode merged = mapper.readTree(target.resolve("manifest.json").toFile()).path("merged");
        List<Path> mergedFiles = new ArrayList<>();
        for (String field : new String[] {"results", "errors"}) {
            if (merged.hasNonNull(field)) {
                String key = merged.get(field).asText();
                Path file = target.resolve(key.substring(key.lastIndexOf('/') + 1));
                copy(key, file);
                mergedFiles.add(file);
            }
        }
        boolean copyRecords = records || mergedFiles.isEmpty();
        if (copyRecords) {
            copyRecords(jobId, target);
        }
        return new Copied(mergedFiles, copyRecords);
    }

    /**
     * The per-record files, copied {@value #COPY_THREADS} at a time, and their index in listing
     * order, written as the copies end: at most {@value #COPIES_AHEAD} are waiting to be indexed.
     * The index takes its name only once every record is copied: an index is always whole. Names are
     * settled first, in order (the names taken are held for the case check: a set of the job's
     * names); a hashed key's custom_id is read from its copied record.
     */
    private void copyRecords(String jobId, Path target) throws IOException {
        Set<String> taken = new HashSet<>();
        Deque<Future<Map<String, String>>> entries = new ArrayDeque<>();
        ExecutorService copiers = Executors.newFixedThreadPool(COPY_THREADS);
        Path partial = target.resolve(INDEX + ".partial");
        boolean whole = false;
        try (BufferedWriter index = Files.newBufferedWriter(partial)) {
            for (boolean succeeded : new boolean[] {true, false}) {
                String prefix = S3Layout.recordsPrefix(jobId, succeeded);
                String folder = (succeeded ? "results" : "errors") + "/records/";
                Files.createDirectories(target.resolve(folder));
                for (var object : s3.listObjectsV2Paginator(r -> r.bucket(bucket).prefix(prefix)).contents()) {
                    String recordKey = object.key().substring(prefix.length(), object.key().length() - ".json".length());
                    Optional<String> customId = RecordKey.customIdOf(recordKey);
                    // A hashed key is a name already: no other key or hash can take it, in any case.
                    String file = folder + (customId.isPresent() ? safeName(recordKey, customId.get(), taken)
                            : recordKey + ".json");
                    entries.add(copiers.submit(() -> {
                        copy(object.key(), target.resolve(file));
                        Map<String, String> entry = new LinkedHashMap<>();
                        entry.put("file", file);
                        entry.put("custom_id", customId.orElseGet(() -> read(target.resolve(file))
                                .path("custom_id").asText()));
                        return entry;
                    }));
                    if (entries.size() >= COPIES_AHEAD) {
                        writeEntry(index, entries.poll());
                    }
                }
            }
            while (!entries.isEmpty()) {
                writeEntry(index, entries.poll());
            }
            whole = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while copying records", e);
        } catch (ExecutionException e) {
            throw new IOException("copying a record failed: " + e.getCause().getMessage(), e.getCause());
        } finally {
            stop(copiers);
            if (!whole) {
                deletePartial(partial);
            }
        }
        Files.move(partial, target.resolve(INDEX), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** No copy outlives the copying: a failure ends the others (each bounded by the S3 client's timeouts). */
    private static void stop(ExecutorService copiers) {
        copiers.shutdownNow();
        try {
            copiers.awaitTermination(COPIES_END_WITHIN.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** After a failed copy: the caller hears of that failure, not of a leftover file. */
    private static void deletePartial(Path partial) {
        try {
            Files.deleteIfExists(partial);
        } catch (IOException leftOver) {
            // An index.jsonl.partial beside the records says by its name that it is not whole.
        }
    }

    private void writeEntry(BufferedWriter index, Future<Map<String, String>> entry)
            throws IOException, InterruptedException, ExecutionException {
        index.write(mapper.writeValueAsString(entry.get()));
        index.newLine();
    }

    static String safeName(String recordKey, String customId, Set<String> taken) {
        String base = recordKey.contains("/") ? RecordKey.hashed(customId) : recordKey;
        String name = base + ".json";
        if (!taken.add(name.toLowerCase(Locale.ROOT))) {
            name = base + RecordKey.hashed(customId) + ".json";
            taken.add(name.toLowerCase(Locale.ROOT));
        }
        return name;
    }

    private JsonNode read(Path file) {
        try {
            return mapper.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file, e);
        }
    }

    private void copy(String key, Path destination) throws IOException {
        Files.createDirectories(destination.getParent());
        try (InputStream in = s3.getObject(r -> r.bucket(bucket).key(key))) {
            Files.copy(in, destination, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
