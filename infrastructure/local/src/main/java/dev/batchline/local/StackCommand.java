package dev.batchline.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchline.config.Json;
import dev.batchline.job.DynamoJobStore;
import dev.batchline.operate.JobNotFoundException;
import dev.batchline.operate.JobOperations;
import dev.batchline.operate.JobStateException;
import dev.batchline.operate.Stack;
import dev.batchline.operate.StackNotFoundException;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * A command that operates a stack's jobs. Exit status: 0 done, 1 the job is not where the command
 * needs it (no such job, not finished, already ended, or it failed), 2 usage, I/O or AWS error.
 */
abstract class StackCommand implements Callable<Integer> {

    @Mixin
    StackOptions stackOptions;

    @Option(names = "--json", description = "print JSON for scripts instead of a readable display")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Made when the command runs: picocli makes every command's object each start, and most never run. */
    ObjectMapper mapper;

    /** What the command does once its stack is found. */
    abstract int run(Stack stack, JobOperations operations) throws Exception;

    @Override
    public final Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        String name = "batchline " + spec.name();
        mapper = Json.mapper();
        try {
            Stack stack = stackOptions.resolve(mapper);
            return run(stack, new JobOperations(stack.clients().s3(), new DynamoJobStore(stack.clients().dynamo(),
                    stack.table()), stack.bucket(), mapper));
        } catch (JobNotFoundException | JobStateException e) {
            err.println(name + ": " + e.getMessage());
            return ValidateCommand.INVALID;
        } catch (StackNotFoundException e) {
            err.println(name + ": " + e.getMessage());
            return ValidateCommand.ERROR;
        } catch (SdkException | IOException e) {
            err.println(name + ": " + e.getMessage());
            return ValidateCommand.ERROR;
        } finally {
            err.flush();
            spec.commandLine().getOut().flush();
        }
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }
}
