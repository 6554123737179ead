package dev.batchline.operate;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchline.ids.Fingerprinter;
import dev.batchline.job.MergedSegment;
import dev.batchline.job.PartRecord;
import dev.batchline.job.StagedPart;
import dev.batchline.storage.LineStream;
import dev.batchline.storage.S3Layout;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.List;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The requests of a finished job that a retry resubmits: the custom_ids of its error records that
 * {@link RetryableCodes} retries, held as 64-bit fingerprints (8 bytes a request, so a 5,000,000
 * request file's worst case is 40 MB), then picked from the job's staged parts in their order.
 */
final class RetrySelection {

    /** Error records and staged lines are read a line at a time, up to the largest line a profile allows. */
    private static final int MAX_LINE_BYTES = 16 * 1024 * 1024;

    private final S3Client s3;
    private final String bucket;
    private final String jobId;
    private final ObjectMapper mapper;
    private final Fingerprinter fingerprinter = new Fingerprinter();
    private long[] fingerprints = new long[1024];
    private int size;

    private RetrySelection(S3Client s3, String bucket, String jobId, ObjectMapper mapper) {
        this.s3 = s3;
        this.bucket = bucket;
        this.jobId = jobId;
        this.mapper = mapper;
    }

    /**
     * Reads the job's error records: its merged errors file when it wrote one, else its error
     * objects when it wrote those, else the error segments its parts committed (a job that failed
     * before its merged files were made).
     */
    static RetrySelection of(S3Client s3, String bucket, String jobId, JsonNode manifest, List<PartRecord> parts,
            RetryableCodes codes, ObjectMapper mapper) throws IOException {
        RetrySelection selection = new RetrySelection(s3, bucket, jobId, mapper);
        JsonNode mergedErrors = manifest.path("merged").path("errors");
        if (mergedErrors.isTextual()) {
            selection.considerLines(mergedErrors.asText(), codes);
        } else if (manifest.path("records").isObject()) {
            for (S3Object object : s3.listObjectsV2Paginator(r -> r.bucket(bucket)
                    .prefix(S3Layout.recordsPrefix(jobId, false))).contents()) {
                try (InputStream in = s3.getObject(r -> r.bucket(bucket).key(object.key()))) {
                    selection.consider(mapper.readTree(in), codes);
                }
            }
        } else {
            for (PartRecord part : parts) {
                for (MergedSegment segment : part.segments()) {
                    if (!segment.succeeded()) {
                        selection.considerLines(segment.key(), codes);
                    }
                }
            }
        }
        selection.fingerprints = Arrays.copyOf(selection.fingerprints, selection.size);
        Arrays.sort(selection.fingerprints);
        return selection;
    }

    private void considerLines(String key, RetryableCodes codes) throws IOException {
        try (LineStream lines = new LineStream(s3.getObject(r -> r.bucket(bucket).key(key)), 0, MAX_LINE_BYTES)) {
            for (byte[] line; (line = lines.next()) != null; ) {
                consider(mapper.readTree(line), codes);
            }
        }
    }

    private void consider(JsonNode record, RetryableCodes codes) {
        if (codes.retries(record) && record.path("custom_id").isTextual()) {
            if (size == fingerprints.length) {
                fingerprints = Arrays.copyOf(fingerprints, size * 2);
            }
            fingerprints[size++] = fingerprint(record.get("custom_id").asText());
        }
    }

    private long fingerprint(String customId) {
        fingerprinter.hash(customId);
        return fingerprinter.first();
    }

    boolean isEmpty() {
        return size == 0;
    }

    long size() {
        return size;
    }

    /** Writes the selected requests' lines, as staged, to {@code out}; returns how many. */
    long copyRequests(List<StagedPart> parts, OutputStream out) throws IOException {
        long written = 0;
        for (StagedPart part : parts) {
            try (LineStream lines = new LineStream(s3.getObject(r -> r.bucket(bucket).key(part.key())), 0,
                    MAX_LINE_BYTES)) {
                for (byte[] line; (line = lines.next()) != null; ) {
                    if (Arrays.binarySearch(fingerprints, fingerprint(customId(line))) >= 0) {
                        out.write(line);
                        out.write('\n');
                        written++;
                    }
                }
            } catch (NoSuchKeyException gone) {
                throw new JobStateException("the staged parts of job " + jobId + " are gone (" + part.key()
                        + "): they are kept for the profiles' longest job plus 14 days (100 days with the presets)");
            }
        }
        return written;
    }

    /** The line's custom_id, read without building the rest of the request. */
    private String customId(byte[] line) throws IOException {
        try (JsonParser parser = mapper.getFactory().createParser(line)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("a staged line of job " + jobId + " is not a JSON object");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                parser.nextToken();
                if ("custom_id".equals(field)) {
                    return parser.getText();
                }
                parser.skipChildren();
            }
            throw new IOException("a staged line of job " + jobId + " has no custom_id");
        }
    }
}
