package dev.batchline.provider;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/** An OpenAI-compatible Files + Batches API. Transient failures are retried inside each call. */
public interface BatchProvider {

    /**
     * Uploads an S3 object as a batch input file, streaming it. An upload retried after a lost
     * answer first looks for the file the lost attempt may have stored ({@link #findUpload}).
     */
    ProviderFile uploadFile(String bucket, String key, String filename);

    /**
     * The file an earlier upload of {@code filename} stored whole ({@code bytes} long), among the
     * provider's latest 1,000 of the profile's purpose; a file of that name stored cut short is
     * deleted, so no half file stays behind.
     */
    Optional<ProviderFile> findUpload(String filename, long bytes);

    /** Creates a batch over an uploaded file; {@code metadata} tells Batchline's batches apart. */
    ProviderBatch createBatch(String inputFileId, String endpoint, Map<String, String> metadata);

    ProviderBatch retrieveBatch(String batchId);

    ProviderBatch cancelBatch(String batchId);

    /**
     * Asks for a cancel, and says whether the provider took it. A refusal (the batch ended meanwhile,
     * say) is not the caller's failure; a transient error is, so the caller's step is retried.
     */
    default boolean tryCancel(String batchId) {
        try {
            cancelBatch(batchId);
            return true;
        } catch (TransientProviderException retried) {
            throw retried;
        } catch (ProviderException refused) {
            return false;
        }
    }

    /** One page of batches, newest first; {@code after} is the previous page's last id, or null. */
    BatchPage listBatches(String after, int limit);

    void deleteFile(String fileId);

    /**
     * Streams a file's content into an S3 object, giving up at {@code deadline} so a stalled
     * download cannot outlive its caller. Returns the bytes copied.
     */
    long downloadFile(String fileId, String bucket, String key, Instant deadline);

    /**
     * A copy's last attempt, once its retries are spent: one try, and whatever arrives (with what
     * earlier attempts copied) is kept as the object, whole or not.
     */
    Download downloadWhatArrives(String fileId, String bucket, String key, Instant deadline);

    /** What a download kept: its bytes, and whether that is the whole file. */
    record Download(long bytes, boolean whole) {
    }
}
