package dev.batchline.bench;

import dev.batchline.complete.AwsCostEstimate;
import java.math.RoundingMode;

/**
 * Prints the README's itemised AWS cost of a 1,000,000-request job with each output choice, from
 * the same {@link AwsCostEstimate} a manifest carries. The writes, events and transitions follow
 * from the job's shape; Lambda time is modelled from this machine's 50,000-request runs (README,
 * Performance): a real job's manifest measures it instead.
 *
 * Run it with the functions test classes on the class path.
 */
public final class AwsCostTable {

    private static final long REQUESTS = 1_000_000;
    /** OpenAI's 50,000 requests a batch. */
    private static final long PARTS = 20;
    /** A batch done in about two hours, polled from 30 s growing by 1.5 to 300 s. */
    private static final long POLLS_PER_PART = 29;
    /** BATCHLINE_FINALIZE_SLICE 20,000: three slices of a 50,000-request part. */
    private static final long SLICES_PER_PART = 3;
    /** Records finalized a second here: 50,000 in 73 s with per-record objects, in 25 s merged only. */
    private static final double RECORDS_PER_SECOND_WITH_OBJECTS = 50_000 / 73.0;
    private static final double RECORDS_PER_SECOND_MERGED = 50_000 / 25.0;

    private AwsCostTable() {
    }

    public static void main(String[] args) {
        System.out.println("| item | unit price (USD) | objects | merged | both |");
        System.out.println("|---|---|---|---|---|");
        AwsCostEstimate objects = estimate(true, false);
        AwsCostEstimate merged = estimate(false, true);
        AwsCostEstimate both = estimate(true, true);
        for (int i = 0; i < objects.items().size(); i++) {
            AwsCostEstimate.Item item = objects.items().get(i);
            System.out.printf("| %s | %s per %s | %s | %s | %s |%n", item.item(), item.unitPrice().toPlainString(),
                    item.unit(), cell(objects.items().get(i)), cell(merged.items().get(i)), cell(both.items().get(i)));
        }
        System.out.printf("| **total** | | **%s** | **%s** | **%s** |%n", dollars(objects), dollars(merged),
                dollars(both));
    }

    private static AwsCostEstimate estimate(boolean objectsWritten, boolean mergedWritten) {
        double recordsPerSecond = objectsWritten ? RECORDS_PER_SECOND_WITH_OBJECTS : RECORDS_PER_SECOND_MERGED;
        long finalizeMillis = Math.round(REQUESTS / recordsPerSecond * 1000);
        long megabyteMillis = 2048 * finalizeMillis            // FinalizePart
                + 1024 * PARTS * 5_000                          // SubmitBatch: a 10 MB upload each
                + 512 * PARTS * POLLS_PER_PART * 300            // PollBatch
                + 512 * (mergedWritten ? 20_000 : 1_000);       // CompleteJob: streaming the merged files
        long invocations = 1 + PARTS * (1 + POLLS_PER_PART + SLICES_PER_PART) + 1;
        long puts = 1 + (mergedWritten ? 2 + PARTS * SLICES_PER_PART * 2 : 0) + (objectsWritten ? REQUESTS : 0)
                + PARTS * (6 + 2 * SLICES_PER_PART);
        long transitions = 3 + PARTS * (3 + 3 * POLLS_PER_PART + 2 * SLICES_PER_PART);
        return AwsCostEstimate.of(new AwsCostEstimate.Use(invocations, megabyteMillis, puts, REQUESTS + 1,
                transitions));
    }

    private static String cell(AwsCostEstimate.Item item) {
        return item.quantity().stripTrailingZeros().toPlainString() + " = $"
                + item.cost().setScale(4, RoundingMode.HALF_UP).toPlainString();
    }

    private static String dollars(AwsCostEstimate estimate) {
        return "$" + estimate.total().setScale(2, RoundingMode.HALF_UP).toPlainString();
    }
}
