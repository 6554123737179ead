package dev.batchline.ingest;

import java.util.ArrayList;
import java.util.List;

/**
 * Counts every problem and keeps the first few by line number, whatever order they are found in,
 * so a file with millions of bad lines costs no more memory.
 */
final class IssueCollector {

    private final int maxListed;
    private final List<ValidationIssue> listed = new ArrayList<>();
    private long total;

    IssueCollector(int maxListed) {
        this.maxListed = maxListed;
    }

    void add(Integer line, ValidationCode code, String message, String param) {
        total++;
        if (maxListed == 0) {
            return;
        }
        ValidationIssue issue = new ValidationIssue(line, code, message, param);
        int position = listed.size();
        while (position > 0 && order(listed.get(position - 1)) > order(issue)) {
            position--;
        }
        if (position < maxListed) {
            listed.add(position, issue);
            if (listed.size() > maxListed) {
                listed.remove(listed.size() - 1);
            }
        }
    }

    /** Problems of the whole file (no line) come last. */
    private static long order(ValidationIssue issue) {
        return issue.line() == null ? Long.MAX_VALUE : issue.line();
    }

    long total() {
        return total;
    }

    List<ValidationIssue> listed() {
        return listed;
    }
}
