package dev.batchline.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.batchline.testing.AwsIntegration;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

@AwsIntegration
class DynamoJobStoreTest {

    private static final Instant NOW = Instant.parse("2026-11-29T10:00:00Z");
    private static final SourceObject SOURCE = new SourceObject("bucket", "inbox/a.jsonl", null, "etag", 10);

    private final DynamoDbClient dynamo;
    private DynamoJobStore jobs;

    DynamoJobStoreTest(DynamoDbClient dynamo) {
        this.dynamo = dynamo;
    }

    @BeforeEach
    void createTable() {
        String table = "jobs-" + UUID.randomUUID();
        dynamo.createTable(DynamoJobStore.createTableRequest(table));
        jobs = new DynamoJobStore(dynamo, table);
    }

    /** A job of one three-request part whose provider files are copied: finalizing has started. */
    private void finalizingPart(String jobId) {
        jobs.claim(JobRecord.validating(jobId, "openai", SOURCE, NOW, NOW.plusSeconds(60)), NOW);
        jobs.saveParts(jobId, List.of(new StagedPart(1, "staging/" + jobId + "/part-00001.jsonl", 1, 3, 30)));
        jobs.startFinalize(jobId, 1);
    }

    @Test
    void claim_afterTheLeaseRanOut_takesTheJobOverAndRecordsWhenAsEveryOtherWriteDoes() {
        jobs.claim(JobRecord.validating("job-1", "openai", SOURCE, NOW, NOW.plusSeconds(60)), NOW);
        Instant later = NOW.plus(Duration.ofMinutes(5));

        JobClaim claim = jobs.claim(JobRecord.validating("job-1", "openai", SOURCE, later, later.plusSeconds(60)),
                later);

        assertThat(claim.granted()).isTrue();
        assertThat(claim.job().updatedAt()).isEqualTo(later);
        assertThat(claim.job().leaseUntil()).isEqualTo(later.plusSeconds(60));
    }

    @Test
    void markFinished_fromSubmitting_endsTheJob_andARecordedStartAfterwardsChangesNothing() {
        jobs.claim(JobRecord.validating("job-4", "openai", SOURCE, NOW, NOW.plusSeconds(60)), NOW);
        jobs.markSubmitting("job-4", 3, 1, "/v1/chat/completions", "m", Lineage.ORIGINAL, NOW);

        JobRecord finished = jobs.markFinished("job-4", JobStatus.COMPLETED, "results/job-4/manifest.json", NOW);
        JobRecord afterStart = jobs.markRunning("job-4", "arn:execution", NOW.plusSeconds(1));

        assertThat(finished.status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(afterStart.status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(jobs.markFinished("job-4", JobStatus.COMPLETED, "results/job-4/manifest.json", NOW).status())
                .isEqualTo(JobStatus.COMPLETED);
        assertThatThrownBy(() -> jobs.markFinished("job-4", JobStatus.FAILED, "results/job-4/manifest.json", NOW))
                .hasMessageContaining("cannot move to FAILED");
    }

    @Test
    void newest_readsJobsNewestFirstFromTheCreationIndex_filteredByStatus_neverItsParts() {
        for (int i = 1; i <= 5; i++) {
            Instant created = NOW.plusSeconds(i);
            jobs.claim(JobRecord.validating("job-" + i, "openai", SOURCE, created, created.plusSeconds(60)), created);
            jobs.saveParts("job-" + i, List.of(new StagedPart(1, "staging/job-" + i + "/part-00001.jsonl", 1, 3, 30)));
        }
        jobs.markSubmitting("job-2", 3, 1, "/v1/chat/completions", "m", Lineage.ORIGINAL, NOW);
        jobs.markSubmitting("job-4", 3, 1, "/v1/chat/completions", "m", new Lineage("job-2", 1), NOW);

        assertThat(jobs.newest(null, 3)).extracting(JobRecord::jobId).containsExactly("job-5", "job-4", "job-3");
        assertThat(jobs.newest(null, 10)).extracting(JobRecord::jobId)
                .containsExactly("job-5", "job-4", "job-3", "job-2", "job-1");
        assertThat(jobs.newest(JobStatus.SUBMITTING, 10)).extracting(JobRecord::jobId).containsExactly("job-4", "job-2");
        assertThat(jobs.find("job-4").orElseThrow().lineage()).isEqualTo(new Lineage("job-2", 1));
        assertThat(jobs.find("job-2").orElseThrow().lineage()).isEqualTo(Lineage.ORIGINAL);
    }

    @Test
    void delete_removesTheJobAndEveryPart_andLeavesOtherJobs() {
        jobs.claim(JobRecord.validating("job-a", "openai", SOURCE, NOW, NOW.plusSeconds(60)), NOW);
        jobs.claim(JobRecord.validating("job-b", "openai", SOURCE, NOW, NOW.plusSeconds(60)), NOW);
        List<StagedPart> parts = new java.util.ArrayList<>();
        for (int part = 1; part <= 30; part++) {
            parts.add(new StagedPart(part, "staging/job-a/part-" + part + ".jsonl", 1, 3, 30));
        }
        jobs.saveParts("job-a", parts);
        jobs.saveParts("job-b", parts.subList(0, 2));

        jobs.delete("job-a");

        assertThat(jobs.find("job-a")).isEmpty();
        assertThat(jobs.parts("job-a")).isEmpty();
        assertThat(jobs.find("job-b")).isPresent();
        assertThat(jobs.partRecords("job-b")).hasSize(2);
        assertThat(jobs.newest(null, 10)).extracting(JobRecord::jobId).containsExactly("job-b");
    }

    @Test
    void aRetryIsClaimedOnce_givenBackWhenItsFileNeverWent_andRecordedForTheManifest() {
        jobs.claim(JobRecord.validating("job-r", "openai", SOURCE, NOW, NOW.plusSeconds(60)), NOW);

        boolean first = jobs.claimRetry("job-r", "inbox/openai/job-r-retry-1.jsonl");
        boolean second = jobs.claimRetry("job-r", "inbox/openai/job-r-retry-1.jsonl");
        jobs.releaseRetry("job-r", "inbox/openai/another.jsonl");
        boolean stillHeld = !jobs.claimRetry("job-r", "inbox/openai/job-r-retry-1.jsonl");
        jobs.releaseRetry("job-r", "inbox/openai/job-r-retry-1.jsonl");
        boolean again = jobs.claimRetry("job-r", "inbox/openai/job-r-retry-1.jsonl");
        jobs.recordRetry("job-r", "job-r-retry-1-0123456789ab");

        assertThat(first).isTrue();
        assertThat(second).isFalse();
        assertThat(stillHeld).isTrue();
        assertThat(again).isTrue();
        assertThat(jobs.find("job-r").orElseThrow().retriedBy()).containsExactly("job-r-retry-1-0123456789ab");
    }

    @Test
    void recordBatchStatus_keepsWhenThePartIsPolledNext() {
        finalizingPart("job-poll");

        jobs.recordBatchStatus("job-poll", 1, "in_progress", 3, 1, 0, NOW.plusSeconds(30));

        PartRecord part = jobs.partRecords("job-poll").get(0);
        assertThat(part.nextPollAt()).isEqualTo(NOW.plusSeconds(30));
        assertThat(part.providerCounts().completed()).isEqualTo(1);
    }

    @Test
    void saveFinalizeProgress_storesThePhaseAndCursorAndReadsThemBack() {
        finalizingPart("job-2");
        jobs.startFinalize("job-2", 1);
        assertThat(jobs.part("job-2", 1).finalizeCursor()).isEqualTo(FinalizeCursor.START);

        FinalizeCursor next = FinalizeCursor.START.next(120, 2, "provider/job-2/part-00001/seen-000001-a.bin");
        jobs.takeFinalizeLease("job-2", 1, "run-a", NOW.plusSeconds(900), NOW);
        jobs.saveFinalizeProgress("job-2", 1, "run-a", FinalizePhase.MISSING, next, new PartOutcome(1, 0, 0, 0, 1, 5, 6, 11, 2),
                List.of());

        PartRecord part = jobs.part("job-2", 1);
        assertThat(part.finalizePhase()).isEqualTo(FinalizePhase.MISSING);
        assertThat(part.finalizeCursor()).isEqualTo(next);
        assertThat(part.outcome()).isEqualTo(new PartOutcome(1, 0, 0, 0, 1, 5, 6, 11, 2));
    }

    @Test
    void saveFinalizeProgress_fromACheckpointAnotherRunHasSavedPast_isRefused() {
        finalizingPart("job-3");
        FinalizeCursor first = FinalizeCursor.START.next(10, 0, "seen-a");
        FinalizeCursor rival = FinalizeCursor.START.next(20, 0, "seen-b");
        jobs.takeFinalizeLease("job-3", 1, "run-a", NOW.plusSeconds(900), NOW);
        jobs.saveFinalizeProgress("job-3", 1, "run-a", FinalizePhase.OUTPUT, first, PartOutcome.NONE, List.of());

        assertThatThrownBy(() -> jobs.saveFinalizeProgress("job-3", 1, "run-a", FinalizePhase.OUTPUT, rival,
                PartOutcome.NONE, List.of()))
                .isInstanceOf(FinalizeConflictException.class);
        assertThat(jobs.part("job-3", 1).finalizeCursor()).isEqualTo(first);
    }

    @Test
    void failPart_keepsWhatHasARecord_restartsAtTheIds_once_andNeverOvertakesARunningSlice() {
        finalizingPart("job-4");
        FinalizeCursor output = FinalizeCursor.START.next(40, 2, "seen-a");
        jobs.takeFinalizeLease("job-4", 1, "run-a", NOW.plusSeconds(900), NOW);
        jobs.saveFinalizeProgress("job-4", 1, "run-a", FinalizePhase.OUTPUT, output, new PartOutcome(2, 0, 0, 0, 0, 0, 0, 0, 0),
                List.of());
        PartFailure failure = new PartFailure("part_failed", "States.TaskFailed: boom", FinalizePhase.OUTPUT);

        assertThatThrownBy(() -> jobs.failPart("job-4", 1, failure, FinalizeCursor.START))
                .isInstanceOf(FinalizeConflictException.class);
        assertThat(jobs.failPart("job-4", 1, failure, output)).isTrue();
        assertThat(jobs.failPart("job-4", 1, new PartFailure("job_failed", "later", null), output)).isFalse();

        PartRecord part = jobs.part("job-4", 1);
        assertThat(part.failure()).isEqualTo(failure);
        assertThat(part.finalizePhase()).isEqualTo(FinalizePhase.MISSING);
        assertThat(part.finalizeCursor()).isEqualTo(new FinalizeCursor(0, 0, 2, "seen-a"));
        assertThat(part.outcome().succeeded()).isEqualTo(2);
    }

    @Test
    void finalizeLease_isOneRunsUntilItsDeadline_andOnlyItsHolderSaves() {
        finalizingPart("job-5");
        jobs.takeFinalizeLease("job-5", 1, "run-a", NOW.plusSeconds(900), NOW);
        jobs.takeFinalizeLease("job-5", 1, "run-a", NOW.plusSeconds(900), NOW.plusSeconds(1));

        assertThatThrownBy(() -> jobs.takeFinalizeLease("job-5", 1, "run-b", NOW.plusSeconds(1_800),
                NOW.plusSeconds(600))).isInstanceOf(FinalizeLeaseHeldException.class)
                .hasMessageContaining(NOW.plusSeconds(900).toString());
        FinalizeCursor next = FinalizeCursor.START.next(10, 1, "seen-b");
        assertThatThrownBy(() -> jobs.saveFinalizeProgress("job-5", 1, "run-b", FinalizePhase.OUTPUT, next,
                PartOutcome.NONE, List.of())).isInstanceOf(FinalizeConflictException.class);

        jobs.takeFinalizeLease("job-5", 1, "run-b", NOW.plusSeconds(1_800), NOW.plusSeconds(901));
        jobs.releaseFinalizeLease("job-5", 1, "run-a");
        MergedSegment segment = new MergedSegment("results/job-5/merged/part-00001/run-b-000000.jsonl", true, 1, 20);
        jobs.saveFinalizeProgress("job-5", 1, "run-b", FinalizePhase.OUTPUT, next, PartOutcome.NONE,
                List.of(segment));
        jobs.releaseFinalizeLease("job-5", 1, "run-b");
        jobs.takeFinalizeLease("job-5", 1, "run-c", NOW.plusSeconds(2_700), NOW.plusSeconds(902));
        assertThat(jobs.part("job-5", 1).finalizeCursor()).isEqualTo(next);
        assertThat(jobs.part("job-5", 1).segments()).containsExactly(segment);
    }
}
