package dev.batchline.complete;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;

/**
 * What a job cost on AWS, item by item, at the list prices of us-east-1 (arm64 Lambda, Standard
 * workflows, standard queues, S3 Standard) as of November 2026; other regions differ by a few
 * percent. Lambda's use is measured (each step function counts its time and memory to its job);
 * the other quantities follow from what the job wrote and how often it polled. Free tiers,
 * storage, transfer and DynamoDB (a few writes a part) are left out.
 */
public record AwsCostEstimate(String currency, String prices, List<Item> items, BigDecimal total) {

    static final BigDecimal LAMBDA_REQUEST = new BigDecimal("0.0000002");
    static final BigDecimal LAMBDA_GB_SECOND = new BigDecimal("0.0000133334");
    static final BigDecimal S3_PUT = new BigDecimal("0.000005");
    static final BigDecimal SQS_MESSAGE = new BigDecimal("0.0000004");
    static final BigDecimal STATE_TRANSITION = new BigDecimal("0.000025");
    static final String PRICES = "us-east-1 list prices, November 2026";

    /** One line of the estimate. */
    public record Item(String item, BigDecimal quantity, String unit, BigDecimal unitPrice, BigDecimal cost) {
    }

    /**
     * What a job used.
     *
     * @param megabyteMillis   Lambda memory over time, MB-milliseconds
     * @param s3Puts           PUT, COPY, POST and LIST requests
     * @param sqsMessages      events sent (each up to 64 KB)
     * @param stateTransitions Step Functions state transitions
     */
    public record Use(long functionInvocations, long megabyteMillis, long s3Puts, long sqsMessages,
            long stateTransitions) {
    }

    public static AwsCostEstimate of(Use use) {
        BigDecimal gbSeconds = BigDecimal.valueOf(use.megabyteMillis())
                .divide(BigDecimal.valueOf(1024L * 1000), 3, RoundingMode.HALF_UP);
        List<Item> items = List.of(
                item("Lambda requests", BigDecimal.valueOf(use.functionInvocations()), "request", LAMBDA_REQUEST),
                item("Lambda compute", gbSeconds, "GB-second", LAMBDA_GB_SECOND),
                item("S3 PUT, COPY, POST, LIST requests", BigDecimal.valueOf(use.s3Puts()), "request", S3_PUT),
                item("SQS messages", BigDecimal.valueOf(use.sqsMessages()), "message", SQS_MESSAGE),
                item("Step Functions state transitions", BigDecimal.valueOf(use.stateTransitions()), "transition",
                        STATE_TRANSITION));
        BigDecimal total = items.stream().map(Item::cost).reduce(BigDecimal.ZERO, BigDecimal::add);
        return new AwsCostEstimate("USD", PRICES, items, total.setScale(6, RoundingMode.HALF_UP));
    }

    private static Item item(String name, BigDecimal quantity, String unit, BigDecimal unitPrice) {
        return new Item(name, quantity, unit, unitPrice, quantity.multiply(unitPrice).setScale(6, RoundingMode.HALF_UP));
    }
}
