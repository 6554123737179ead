package dev.batchline.local;

import java.io.PrintWriter;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code batchline} command: Batchline on one machine. */
@Command(name = "batchline", mixinStandardHelpOptions = true, version = "batchline 0.1.0",
        description = "Runs OpenAI-compatible batch jobs the Batchline way: on this machine (run, local), and on a "
                + "deployed stack or the local one (submit, jobs, status, results, cancel, retry, delete).",
        subcommands = {RunCommand.class, ValidateCommand.class, ProviderCommand.class, LocalCommand.class,
                SubmitCommand.class, JobsCommand.class, StatusCommand.class, ResultsCommand.class, CancelCommand.class,
                RetryCommand.class, DeleteCommand.class})
public final class Batchline implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }

    public static CommandLine commandLine() {
        return new CommandLine(new Batchline());
    }

    /** Runs the command {@code args} name, printing to {@code out} and {@code err}; returns its exit status. */
    static int execute(String[] args, PrintWriter out, PrintWriter err) {
        Optional<ValidateCommand> validation = ValidateCommand.plainInvocation(args);
        if (validation.isPresent()) {
            try {
                return validation.get().run(out, err);
            } catch (RuntimeException e) {
                // As picocli answers a command that fails unexpectedly.
                e.printStackTrace(err);
                err.flush();
                return CommandLine.ExitCode.SOFTWARE;
            }
        }
        CommandLine commandLine = commandLine();
        commandLine.setOut(out);
        commandLine.setErr(err);
        return commandLine.execute(args);
    }

    public static void main(String[] args) {
        // The functions jar brings the Lambda JSON log configuration; the command line wants its own.
        System.setProperty("log4j2.configurationFile", "log4j2-cli.xml");
        // Exit explicitly: library threads (metrics, emulators) must not keep the process alive.
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }
}
