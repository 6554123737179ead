package dev.batchline.local.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * {@code ./batchline validate} as a user starts it, JVM start included, against a Python validator
 * of the same rules with the standard {@code json} module ({@code validate_batch.py}, beside this
 * file): on a large file, and on a two-line file where start-up is everything (the lean class path
 * and its class data sharing archive against the full class path without one). Prints medians
 * and ratios measured in the same run.
 *
 * <pre>java -cp infrastructure/local/target/test-classes dev.batchline.local.bench.ValidateStartBench [MB] [rounds]</pre>
 * from the checkout's root, after {@code ./batchline --version} has built the tool.
 */
public final class ValidateStartBench {

    private ValidateStartBench() {
    }

    public static void main(String[] args) throws Exception {
        int megabytes = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path home = Path.of("").toAbsolutePath();
        Path python = home.resolve("infrastructure/local/src/test/java/dev/batchline/local/bench/validate_batch.py");
        Path module = home.resolve("infrastructure/local");
        Path large = Files.createTempFile("validate-bench", ".jsonl");
        Path small = Files.createTempFile("validate-bench-small", ".jsonl");
        try {
            long requests = write(large, megabytes * 1024L * 1024L);
            write(small, 1);
            System.out.printf(Locale.ROOT, "file: %d MB, %,d requests; %d rounds, medians%n", megabytes, requests,
                    rounds);
            List<String> launcher = List.of(home.resolve("batchline").toString(), "validate", "--profile", "generic");
            List<String> full = List.of("java", "-cp", module.resolve("target/classes") + ":"
                    + Files.readString(module.resolve("target/launcher.classpath")).trim(),
                    "dev.batchline.local.Batchline", "validate", "--profile", "generic");
            List<String> baseline = List.of("python3", python.toString());
            double java = median(launcher, large, rounds);
            double py = median(baseline, large, rounds);
            System.out.printf(Locale.ROOT, "large file: ./batchline validate %.2f s, python json %.2f s, ratio %.1f%n",
                    java, py, py / java);
            double lean = median(launcher, small, rounds * 3);
            double fat = median(full, small, rounds * 3);
            double pySmall = median(baseline, small, rounds * 3);
            System.out.printf(Locale.ROOT, "two-line file: lean class path with CDS %.2f s, full class path without "
                    + "%.2f s (%.2f of it), python %.2f s%n", lean, fat, lean / fat, pySmall);
        } finally {
            Files.deleteIfExists(large);
            Files.deleteIfExists(small);
        }
    }

    /** Chat requests of about 825 bytes each until {@code bytes}; at least two lines. */
    private static long write(Path file, long bytes) throws IOException {
        long written = 0;
        long lines = 0;
        String padding = "x".repeat(600);
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            while (written < bytes || lines < 2) {
                String line = "{\"custom_id\":\"request-" + lines + "\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\","
                        + "\"body\":{\"model\":\"gpt-4o-mini\",\"max_tokens\":100,\"messages\":[{\"role\":\"system\","
                        + "\"content\":\"Classify the ticket.\"},{\"role\":\"user\",\"content\":\"Ticket " + lines + ": "
                        + padding + "\"}]}}\n";
                out.write(line);
                written += line.length();
                lines++;
            }
        }
        return lines;
    }

    private static double median(List<String> command, Path file, int rounds) throws Exception {
        List<Double> seconds = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            List<String> full = new ArrayList<>(command);
            full.add(file.toString());
            long started = System.nanoTime();
            Process process = new ProcessBuilder(full).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            int exit = process.waitFor();
            seconds.add((System.nanoTime() - started) / 1e9);
            if (exit != 0) {
                throw new IllegalStateException(String.join(" ", full) + " exited " + exit);
            }
        }
        Collections.sort(seconds);
        return seconds.get(seconds.size() / 2);
    }
}
