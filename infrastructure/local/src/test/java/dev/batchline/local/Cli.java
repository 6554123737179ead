package dev.batchline.local;

import java.io.PrintWriter;
import java.io.StringWriter;

/** The batchline command line run in this JVM, as a user's shell would run it, its output kept. */
final class Cli {

    /** What a command printed, and its exit status. */
    record Result(int exit, String out, String err) {

        /** Everything printed, for assertion messages. */
        String all() {
            return "exit " + exit + "\n" + out + err;
        }
    }

    private Cli() {
    }

    static Result run(String... args) {
        return run(new StringWriter(), args);
    }

    /** Runs the command with {@code out} as its standard output, which another thread may watch as it grows. */
    static Result run(StringWriter out, String... args) {
        StringWriter err = new StringWriter();
        int exit = Batchline.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(exit, out.toString(), err.toString());
    }
}
