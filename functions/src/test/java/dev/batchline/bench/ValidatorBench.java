package dev.batchline.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import dev.batchline.ingest.BatchFileValidator;
import dev.batchline.ingest.PartSplitter;
import dev.batchline.ingest.PartStore;
import dev.batchline.ingest.ValidationReport;
import dev.batchline.ingest.ValidatorSettings;
import dev.batchline.provider.ProviderProfile;
import dev.batchline.provider.ProviderProfiles;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Validator throughput against the floor it cannot beat: Jackson scanning the same file's tokens
 * and nothing else. Both read the same file from the page cache through the same 256 KiB buffer
 * size, alternating, several rounds; medians are printed with their ratio and the peak heap.
 *
 * <p>Run: see the README's performance section. Arguments: [megabytes (default 256)] [rounds (default 5)].
 */
public final class ValidatorBench {

    private static final int BUFFER = 256 * 1024;

    public static void main(String[] args) throws IOException {
        int megabytes = args.length > 0 ? Integer.parseInt(args[0]) : 256;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Path file = Files.createTempFile("batchline-bench", ".jsonl");
        try {
            long requests = generate(file, megabytes * 1_000_000L);
            long bytes = Files.size(file);
            System.out.printf("file: %d requests, %.1f MB, max heap %d MB, %s %s%n", requests, bytes / 1e6,
                    Runtime.getRuntime().maxMemory() >> 20, System.getProperty("java.vm.name"),
                    System.getProperty("java.version"));
            ProviderProfile profile = ProviderProfiles.NEBIUS;
            JsonFactory jackson = new JsonFactory();
            double[] raw = new double[rounds];
            double[] validator = new double[rounds];
            long peakHeap = 0;
            for (int round = -1; round < rounds; round++) {
                double rawRate = mbPerSecond(bytes, () -> rawTokenScan(jackson, file));
                resetPeaks();
                double validatorRate = mbPerSecond(bytes, () -> validate(profile, file, requests));
                peakHeap = Math.max(peakHeap, peakHeapUsed());
                if (round >= 0) {
                    raw[round] = rawRate;
                    validator[round] = validatorRate;
                    System.out.printf("round %d: raw Jackson token scan %.0f MB/s, validator %.0f MB/s%n",
                            round + 1, rawRate, validatorRate);
                }
            }
            double rawMedian = median(raw);
            double validatorMedian = median(validator);
            System.out.printf("raw Jackson token scan: %.0f MB/s (median of %d)%n", rawMedian, rounds);
            System.out.printf("validator:              %.0f MB/s (median of %d)%n", validatorMedian, rounds);
            System.out.printf("ratio validator/raw:    %.2f%n", validatorMedian / rawMedian);
            System.out.printf("peak heap during validation: %d MB%n", peakHeap >> 20);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private interface Work {
        void run() throws IOException;
    }

    private static double mbPerSecond(long bytes, Work work) throws IOException {
        long start = System.nanoTime();
        work.run();
        return bytes / 1e6 / ((System.nanoTime() - start) / 1e9);
    }

    private static void rawTokenScan(JsonFactory jackson, Path file) throws IOException {
        long tokens = 0;
        try (InputStream in = Files.newInputStream(file); JsonParser parser = jackson.createParser(in)) {
            while (parser.nextToken() != null) {
                tokens++;
            }
        }
        if (tokens == 0) {
            throw new IllegalStateException("no tokens");
        }
    }

    private static void validate(ProviderProfile profile, Path file, long requests) throws IOException {
        ValidatorSettings settings = new ValidatorSettings(100, 128, BUFFER);
        try (InputStream in = Files.newInputStream(file)) {
            ValidationReport report = new BatchFileValidator(profile, settings)
                    .validate(in, Files.size(file), new PartSplitter(profile, PartStore.discarding()));
            if (!report.valid() || report.requests() != requests) {
                throw new IllegalStateException("the generated file should be valid: " + report.errors());
            }
        }
    }

    /** Chat requests of varied size and content, as a ticket-classification job would send. */
    private static long generate(Path file, long targetBytes) throws IOException {
        SplittableRandom random = new SplittableRandom(42);
        String[] words = "the invoice order account password refund delivery late broken screen app crash login "
                .concat("charge twice export data please help urgent customer support ticket thank you")
                .split(" ");
        long written = 0;
        long requests = 0;
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            StringBuilder line = new StringBuilder(2048);
            while (written < targetBytes) {
                requests++;
                line.setLength(0);
                line.append("{\"custom_id\":\"ticket-").append(requests)
                        .append("\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{\"model\":")
                        .append("\"meta-llama/Meta-Llama-3.1-8B-Instruct\",\"temperature\":0.2,\"max_tokens\":")
                        .append(5 + random.nextInt(50)).append(",\"messages\":[{\"role\":\"system\",\"content\":")
                        .append("\"Classify the ticket as billing, account, bug, shipping or other.\"},")
                        .append("{\"role\":\"user\",\"content\":\"");
                int count = 20 + random.nextInt(120);
                for (int i = 0; i < count; i++) {
                    line.append(words[random.nextInt(words.length)]).append(' ');
                }
                line.append("\"}]}}\n");
                byte[] bytes = line.toString().getBytes(StandardCharsets.UTF_8);
                out.write(bytes);
                written += bytes.length;
            }
        }
        return requests;
    }

    private static List<MemoryPoolMXBean> heapPools() {
        List<MemoryPoolMXBean> pools = new ArrayList<>();
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                pools.add(pool);
            }
        }
        return pools;
    }

    private static void resetPeaks() {
        heapPools().forEach(MemoryPoolMXBean::resetPeakUsage);
    }

    /** Sum of the heap pools' peaks: an upper bound of the heap in use at any one moment. */
    private static long peakHeapUsed() {
        return heapPools().stream().mapToLong(pool -> pool.getPeakUsage().getUsed()).sum();
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted.length % 2 == 1 ? sorted[sorted.length / 2]
                : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }
}
