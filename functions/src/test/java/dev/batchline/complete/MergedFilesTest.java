package dev.batchline.complete;

import static org.assertj.core.api.Assertions.assertThat;

import dev.batchline.storage.S3ObjectOutputStream;
import org.junit.jupiter.api.Test;

/** The merged files' upload parts: S3's 10,000 must hold the file, and a part is what memory holds. */
class MergedFilesTest {

    private static final long MB = 1024 * 1024;

    @Test
    void partSize_isTheSmallestThatFitsTheFile_withinItsBounds() {
        assertThat(MergedFiles.partBytes(0)).isEqualTo(S3ObjectOutputStream.MIN_PART_BYTES);
        assertThat(MergedFiles.partBytes(40_000 * MB)).isEqualTo(S3ObjectOutputStream.MIN_PART_BYTES);
        long fiftyGigabytes = 50_000 * MB;
        int part = MergedFiles.partBytes(fiftyGigabytes);
        assertThat((long) part * 9_000).isGreaterThanOrEqualTo(fiftyGigabytes);
        assertThat(part).isLessThan(6 * 1024 * 1024);
        assertThat(MergedFiles.partBytes(5_000_000 * MB)).isEqualTo(100 * 1024 * 1024);
    }
}
