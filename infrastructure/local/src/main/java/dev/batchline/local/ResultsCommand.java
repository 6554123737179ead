package dev.batchline.local;

import dev.batchline.operate.JobOperations;
import dev.batchline.operate.RecordFolder;
import dev.batchline.operate.Stack;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code batchline results}: a finished job's merged output, or its records in a folder. */
@Command(name = "results", mixinStandardHelpOptions = true,
        description = "Copies a finished job's results: the merged output.jsonl (every result line as the provider "
                + "wrote it) to a file or standard output, its errors.jsonl, or everything into a folder.%n"
                + "Exit status: 0 copied, 1 no such job or not finished, 2 usage, I/O or AWS error.")
final class ResultsCommand extends StackCommand {

    @Parameters(paramLabel = "JOB", description = "the job id")
    String jobId;

    @Option(names = "--jsonl", paramLabel = "FILE", description = "write the merged output here; - for standard "
            + "output (the default when no other option is given)")
    String jsonl;

    @Option(names = "--errors", paramLabel = "FILE", description = "write the merged errors here; - for standard output")
    String errors;

    @Option(names = "--out", paramLabel = "DIR", description = "copy the manifest, the merged files and one file per "
            + "record (with index.jsonl) into DIR/<job>/")
    Path outDirectory;

    @Override
    int run(Stack stack, JobOperations operations) throws Exception {
        if (jsonl == null && errors == null && outDirectory == null) {
            jsonl = "-";
        }
        if (jsonl != null) {
            copy(operations, true, jsonl);
        }
        if (errors != null) {
            copy(operations, false, errors);
        }
        if (outDirectory != null) {
            Path target = outDirectory.resolve(jobId);
            RecordFolder.Copied copied = operations.copyOut(jobId, target, true);
            err().println("copied job " + jobId + " into " + target.toAbsolutePath()
                    + (copied.records() ? " (with one file per record and index.jsonl)" : ""));
        }
        return 0;
    }

    private void copy(JobOperations operations, boolean succeeded, String destination) throws Exception {
        if ("-".equals(destination)) {
            out().flush();
            operations.copyMerged(jobId, succeeded, System.out);
            System.out.flush();
            return;
        }
        Path file = Path.of(destination);
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        try (OutputStream out = Files.newOutputStream(partial)) {
            long bytes = operations.copyMerged(jobId, succeeded, out);
            err().printf("wrote %s (%,d bytes)%n", file, bytes);
        } catch (Exception e) {
            Files.deleteIfExists(partial);
            throw e;
        }
        Files.move(partial, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
}
