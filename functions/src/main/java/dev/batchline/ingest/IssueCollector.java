package dev.batchline.ingest;

import java.util.ArrayList;
import java.util.List;

/** Counts every problem and keeps the first few, so a file with millions of bad lines costs no more memory. */
final class IssueCollector {

    private final int maxListed;
    private final List<ValidationIssue> listed = new ArrayList<>();
    private long total;

    IssueCollector(int maxListed) {
        this.maxListed = maxListed;
    }

    void add(Integer line, ValidationCode code, String message, String param) {
        total++;
        if (listed.size() < maxListed) {
            listed.add(new ValidationIssue(line, code, message, param));
        }
    }

    long total() {
        return total;
    }

    List<ValidationIssue> listed() {
        return listed;
    }
}
