package dev.batchline.ingest;

import static dev.batchline.ingest.ValidationCode.BLANK_LINE;
import static dev.batchline.ingest.ValidationCode.DUPLICATE_CUSTOM_ID;
import static dev.batchline.ingest.ValidationCode.EMPTY_FILE;
import static dev.batchline.ingest.ValidationCode.FILE_TOO_LARGE;
import static dev.batchline.ingest.ValidationCode.INVALID_CUSTOM_ID;
import static dev.batchline.ingest.ValidationCode.INVALID_ENCODING;
import static dev.batchline.ingest.ValidationCode.INVALID_JSON;
import static dev.batchline.ingest.ValidationCode.LINE_TOO_LARGE;
import static dev.batchline.ingest.ValidationCode.MISSING_CUSTOM_ID;
import static dev.batchline.ingest.ValidationCode.TOO_MANY_PARTS;
import static dev.batchline.ingest.ValidationCode.TOO_MANY_REQUESTS;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import dev.batchline.provider.ProviderProfile;
import java.io.IOException;
import java.io.InputStream;
import java.util.regex.Pattern;

/**
 * Checks an OpenAI-format batch file against a provider profile in one streaming pass.
 * Memory is bounded by the profile (longest line, request limit), never by the file: custom_ids are
 * kept as fixed-size fingerprints and the file is read in chunks of whole lines.
 *
 * <p>Each chunk is checked for UTF-8 eight bytes at a time, then read line by line by the
 * {@link RequestLineScanner}, which takes the lines it is sure of (nearly all of them) and leaves the
 * rest to Jackson: a parser reads from such a line to the end of the line where its value ends, line
 * numbers coming from the parser's own count, so a request spread over lines or a second value on
 * a line is reported as before. A syntax error ends that parser; reading resumes at the next line,
 * so every line is checked and a report counts every problem. Request lines go to the
 * {@link LineSink} (without surrounding white space) while the file is still valid; at the first
 * problem the sink is abandoned.
 */
public final class BatchFileValidator {

    private static final int MAX_CUSTOM_ID_CHARS = 512;
    private static final Pattern LINE_IN_MESSAGE = Pattern.compile("line: (\\d+)");

    private final ProviderProfile profile;
    private final ValidatorSettings settings;
    private final JsonFactory jsonFactory;
    private final boolean scanFirst;

    public BatchFileValidator(ProviderProfile profile, ValidatorSettings settings) {
        this(profile, settings, true);
    }

    /** @param scanFirst false to read every line with Jackson, as the scanner's tests compare */
    BatchFileValidator(ProviderProfile profile, ValidatorSettings settings, boolean scanFirst) {
        this.profile = profile;
        this.settings = settings;
        this.scanFirst = scanFirst;
        // Lines are UTF-8, checked before parsing: a parser must not guess another encoding (or a
        // byte order mark) from the first bytes of a line it starts at.
        this.jsonFactory = JsonFactory.builder()
                .disable(JsonFactory.Feature.CHARSET_DETECTION)
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(settings.maxNestingDepth())
                        .build())
                .build();
    }

    public ValidationReport validate(InputStream input, LineSink sink) throws IOException {
        return validate(input, -1, sink);
    }

    /**
     * @param sizeHint the input's size in bytes when known (an S3 object's, a file's), else -1: it
     *                 sizes the custom_id table once instead of growing it step by step
     */
    public ValidationReport validate(InputStream input, long sizeHint, LineSink sink) throws IOException {
        Scan scan = new Scan(sink, sizeHint);
        scan.run(input, true);
        return scan.report();
    }

    /**
     * Validates {@code range}, whole lines of a file, {@code size} bytes, as if it were a file of its
     * own (its line numbers count from its start): what a {@link FileValidation} merges.
     */
    Range validateRange(InputStream range, long size, boolean startOfFile, LineSink sink) throws IOException {
        Scan scan = new Scan(sink, size);
        scan.run(range, startOfFile);
        return scan.range();
    }

    /**
     * What a range's validation found: its problems counted, and what a whole file's validation
     * needs from it to know whether the ranges agree.
     *
     * @param model null when it has several models, or none
     */
    record Range(long problems, long requests, long requestBytes, String firstUrl, String model,
            CustomIdSet customIds) {
    }

    /** The state of one file's validation. */
    private final class Scan {
        private final LineSink sink;
        private final IssueCollector issues = new IssueCollector(settings.maxListedErrors());
        private final CustomIdSet customIds = new CustomIdSet();
        private final RequestFields fields = new RequestFields();
        private final RequestLineScanner scanner = scanFirst ? new RequestLineScanner(settings.maxNestingDepth()) : null;
        private final RequestRules rules = new RequestRules(profile, issues);
        private boolean sinkOpen = true;
        private long requests;
        private long requestBytes;
        private int nextLine = 1;
        private boolean tooManyReported;
        private boolean tooLargeReported;

        // What the current parser parses.
        private byte[] parsing;
        private int parsingFrom;
        private int parsingTo;

        // The root value being read, for resuming after a syntax error inside it.
        private int valueStart = -1;
        private int valueLine;

        private final long sizeHint;
        private ChunkReader reader;

        Scan(LineSink sink, long sizeHint) {
            this.sink = sink;
            this.sizeHint = sizeHint;
        }

        void run(InputStream input, boolean startOfFile) throws IOException {
            reader = new ChunkReader(input, settings.readBufferBytes(), profile.maxLineBytes(), startOfFile);
            ChunkReader.Kind kind;
            while ((kind = reader.next()) != ChunkReader.Kind.END) {
                if (kind == ChunkReader.Kind.CHUNK) {
                    boolean first = nextLine == 1;
                    checkChunk(reader.array(), reader.length());
                    if (first && sizeHint > reader.length()) {
                        long estimate = (long) (sizeHint * 1.05 * (nextLine - 1) / reader.length());
                        customIds.reserve(Math.min(estimate, profile.fileRequestLimit()));
                    }
                    drainCustomIds();
                } else {
                    requests++;
                    report(nextLine, LINE_TOO_LARGE, "the line is " + reader.oversizedLineBytes()
                            + " bytes long; profile " + profile.name() + " takes lines of at most "
                            + profile.maxLineBytes() + " bytes", null);
                    checkFileLimits(nextLine, reader.oversizedLineBytes());
                    nextLine++;
                }
                closeSinkIfInvalid();
            }
            if (requests == 0) {
                report(null, EMPTY_FILE, "the file holds no requests", null);
            }
            closeSinkIfInvalid();
        }

        ValidationReport report() throws IOException {
            boolean valid = issues.total() == 0;
            int parts = valid ? sink.finish() : 0;
            return new ValidationReport(valid, profile.name(), rules.firstUrl(), rules.model(),
                    requests, reader.bytesRead(), parts, issues.total(), issues.listed());
        }

        Range range() {
            return new Range(issues.total(), requests, requestBytes, rules.firstUrl(), rules.model(), customIds);
        }

        private void closeSinkIfInvalid() throws IOException {
            if (sinkOpen && issues.total() > 0) {
                sinkOpen = false;
                sink.abandon();
            }
        }

        /** Lines with malformed UTF-8 are reported on their own; the runs between them are parsed. */
        private void checkChunk(byte[] buffer, int end) throws IOException {
            int position = 0;
            while (position < end) {
                int invalid = Utf8.firstInvalid(buffer, position, end - position);
                if (invalid < 0) {
                    parseLines(buffer, position, end);
                    return;
                }
                int badByte = position + invalid;
                int lineStart = badByte;
                while (lineStart > position && buffer[lineStart - 1] != '\n') {
                    lineStart--;
                }
                if (lineStart > position) {
                    parseLines(buffer, position, lineStart);
                }
                int lineEnd = afterNewline(buffer, badByte, end);
                requests++;
                report(nextLine, INVALID_ENCODING, String.format("the line is not valid UTF-8: byte 0x%02X at column %d",
                        buffer[badByte] & 0xFF, badByte - lineStart + 1), null);
                checkFileLimits(nextLine, lineEnd - lineStart);
                nextLine++;
                position = lineEnd;
            }
        }

        /**
         * Reads whole lines {@code [from, to)}: each with the scanner when it takes the line, else with
         * Jackson until the end of a request's line, starting again on the line after a syntax error.
         */
        private void parseLines(byte[] buffer, int from, int to) throws IOException {
            int position = from;
            while (position < to) {
                if (scanner != null
                        && scanner.scan(buffer, position, to, fields, rules.expectedUrl(), rules.expectedModel())) {
                    requests++;
                    checkRequest(nextLine++, buffer, scanner.valueStart(), scanner.valueEnd());
                    position = scanner.lineEnd();
                } else {
                    position = parseUntilError(buffer, position, to);
                }
            }
        }

        /**
         * Parses from {@code from} up to the end of the line where a request ends; returns where to go
         * on: after that line, {@code to}, or after the line of a syntax error.
         */
        private int parseUntilError(byte[] buffer, int from, int to) throws IOException {
            int firstLine = nextLine;
            int lastLine = firstLine - 1;
            valueStart = -1;
            parsing = buffer;
            parsingFrom = from;
            parsingTo = to;
            try (JsonParser parser = jsonFactory.createParser(buffer, from, to - from)) {
                try {
                    JsonToken token;
                    while ((token = parser.nextToken()) != null) {
                        JsonLocation start = parser.currentTokenLocation();
                        int line = firstLine + start.getLineNr() - 1;
                        reportBlankLines(lastLine + 1, line);
                        valueStart = from + (int) start.getByteOffset();
                        valueLine = line;
                        boolean newLine = line != lastLine;
                        if (newLine && token == JsonToken.START_OBJECT) {
                            requests++;
                            fields.read(parser, parsing, parsingFrom, parsingTo, rules.expectedUrl(),
                                    rules.expectedModel());
                        } else {
                            parser.skipChildren();
                        }
                        JsonLocation end = parser.currentLocation();
                        int endLine = firstLine + end.getLineNr() - 1;
                        int valueEnd = from + (int) end.getByteOffset();
                        if (!newLine) {
                            report(line, INVALID_JSON, "a second JSON value on the line, at column "
                                    + start.getColumnNr() + "; one request per line", null);
                        } else if (endLine != line) {
                            report(line, INVALID_JSON, "the request spans lines " + line + " to " + endLine
                                    + "; each request must be on one line", null);
                            checkFileLimits(line, valueEnd - valueStart);
                        } else if (token != JsonToken.START_OBJECT) {
                            requests++;
                            report(line, INVALID_JSON, "the line must be a JSON object, found " + RequestFields.describe(token),
                                    null);
                            checkFileLimits(line, valueEnd - valueStart);
                        } else {
                            checkRequest(line, buffer, valueStart, valueEnd);
                        }
                        lastLine = endLine;
                        valueStart = -1;
                        int lineEnd = blankToLineEnd(buffer, valueEnd, to);
                        if (lineEnd >= 0) {
                            nextLine = endLine + 1;
                            return lineEnd;
                        }
                    }
                    int lines = parser.currentLocation().getLineNr() - 1 + (buffer[to - 1] == '\n' ? 0 : 1);
                    reportBlankLines(lastLine + 1, firstLine + lines);
                    nextLine = firstLine + lines;
                    return to;
                } catch (JsonProcessingException e) {
                    return resumeAfter(e, buffer, from, to, firstLine, lastLine);
                }
            }
        }

        private int resumeAfter(JsonProcessingException e, byte[] buffer, int from, int to, int firstLine,
                int lastLine) {
            JsonLocation location = e.getLocation();
            int badLine;
            int badStart;
            if (valueStart >= 0) {
                badLine = valueLine;
                badStart = valueStart;
            } else {
                badLine = location == null ? lastLine + 1 : firstLine + location.getLineNr() - 1;
                badStart = location == null ? from : from + (int) location.getByteOffset();
                reportBlankLines(lastLine + 1, badLine);
                if (badLine != lastLine) {
                    requests++;
                }
            }
            int errorLine = location == null ? badLine : firstLine + location.getLineNr() - 1;
            // Past the line's end the parser sees the next line (or the end of the chunk): what it
            // says then depends on what follows, the problem does not.
            String message = errorLine > badLine ? "the JSON value is not complete at the end of the line"
                    : "invalid JSON" + (location == null ? "" : " at column " + location.getColumnNr()) + ": "
                            + inFileTerms(e.getOriginalMessage(), firstLine);
            report(badLine, INVALID_JSON, message, null);
            int resume = afterNewline(buffer, badStart, to);
            checkFileLimits(badLine, resume - badStart);
            nextLine = badLine + 1;
            valueStart = -1;
            return resume;
        }

        private void reportBlankLines(int fromLine, int toLineExclusive) {
            for (int blank = fromLine; blank < toLineExclusive; blank++) {
                report(blank, BLANK_LINE, "blank line; every line must be one JSON request", null);
            }
        }

        private void checkFileLimits(int line, long lineBytes) {
            requestBytes += lineBytes + 1;
            if (requests > profile.fileRequestLimit() && !tooManyReported) {
                tooManyReported = true;
                report(line, TOO_MANY_REQUESTS, "request " + requests + " is over the limit of profile "
                        + profile.name() + " (" + profile.fileRequestLimit() + " requests per file)", null);
            }
            if (requestBytes > profile.fileByteLimit() && !tooLargeReported) {
                tooLargeReported = true;
                report(line, FILE_TOO_LARGE, "the file passes the limit of profile " + profile.name() + " ("
                        + profile.fileByteLimit() + " bytes per file) at this line", null);
            }
        }

        private void checkRequest(int line, byte[] buffer, int start, int end) throws IOException {
            long issuesBefore = issues.total();
            int length = end - start;
            if (length > profile.maxLineBytes()) {
                report(line, LINE_TOO_LARGE, "the request is " + length + " bytes long; profile " + profile.name()
                        + " takes lines of at most " + profile.maxLineBytes() + " bytes", null);
            }
            if (fields.repeatedField != null) {
                report(line, INVALID_JSON, "field \"" + fields.repeatedField + "\" appears more than once",
                        fields.repeatedField);
            }
            checkCustomId(line);
            rules.check(line, fields);
            checkFileLimits(line, length);
            closeSinkIfInvalid();
            // A duplicate among the queued ids abandons the sink when they are drained.
            if (sinkOpen && issues.total() == issuesBefore
                    && sink.accept(buffer, start, length, fields.customId.chars, fields.customId.length,
                            customIds.lastOffered().first(), customIds.lastOffered().second())
                    > WorkflowInput.MAX_PARTS) {
                report(line, TOO_MANY_PARTS, "this request starts part " + (WorkflowInput.MAX_PARTS + 1)
                        + "; a job takes at most " + WorkflowInput.MAX_PARTS + " parts (profile " + profile.name()
                        + ": " + profile.maxRequestsPerBatch() + " requests, " + profile.maxBytesPerBatch()
                        + " bytes a part)", null);
                closeSinkIfInvalid();
            }
        }

        /** The index of the first UTF-16 surrogate without its pair (JSON escapes can make one), or -1. */
        private static int unpairedSurrogate(char[] chars, int length) {
            for (int i = 0; i < length; i++) {
                char c = chars[i];
                if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(chars[i + 1])) {
                    i++;
                } else if (Character.isSurrogate(c)) {
                    return i;
                }
            }
            return -1;
        }

        private void checkCustomId(int line) {
            if (fields.customId.token == null || fields.customId.token == JsonToken.VALUE_NULL) {
                report(line, MISSING_CUSTOM_ID, "custom_id is missing; every request needs a unique custom_id",
                        "custom_id");
            } else if (!fields.customId.isString()) {
                report(line, INVALID_CUSTOM_ID, "custom_id must be a string, found " + RequestFields.describe(fields.customId.token),
                        "custom_id");
            } else if (fields.customId.length == 0) {
                report(line, INVALID_CUSTOM_ID, "custom_id must not be empty", "custom_id");
            } else if (fields.customId.length > MAX_CUSTOM_ID_CHARS) {
                report(line, INVALID_CUSTOM_ID, "custom_id is " + fields.customId.length
                        + " characters long; at most " + MAX_CUSTOM_ID_CHARS + " are allowed", "custom_id");
            } else if (unpairedSurrogate(fields.customId.chars, fields.customId.length) >= 0) {
                int at = unpairedSurrogate(fields.customId.chars, fields.customId.length);
                report(line, INVALID_CUSTOM_ID, String.format("custom_id holds an unpaired surrogate (\\u%04X) at"
                        + " character %d; it must be valid Unicode", (int) fields.customId.chars[at], at + 1), "custom_id");
            } else if (requests <= profile.fileRequestLimit()
                    && customIds.offer(fields.customId.chars, 0, fields.customId.length, line)) {
                drainCustomIds();
            }
        }

        /** Duplicates are found when the queued ids are drained: at the latest at the end of each chunk. */
        private void drainCustomIds() {
            customIds.drain((line, earlier, id) -> report(line, DUPLICATE_CUSTOM_ID, "custom_id \""
                    + RequestRules.abbreviate(id) + "\" is already used on line " + earlier, "custom_id"));
        }

        private void report(Integer at, ValidationCode code, String message, String param) {
            issues.add(at, code, message, param);
        }
    }

    /**
     * When only spaces and tabs (and a carriage return just before the newline) follow {@code from}
     * on its line: the index just past the line, or {@code to}. Else -1.
     */
    private static int blankToLineEnd(byte[] buffer, int from, int to) {
        for (int i = from; i < to; i++) {
            byte b = buffer[i];
            if (b == '\n') {
                return i + 1;
            }
            if (b == '\r' ? i + 1 < to && buffer[i + 1] != '\n' : b != ' ' && b != '\t') {
                return -1;
            }
        }
        return to;
    }

    /** Index just past the first newline at or after {@code from}, or {@code to} when there is none. */
    private static int afterNewline(byte[] buffer, int from, int to) {
        for (int i = from; i < to; i++) {
            if (buffer[i] == '\n') {
                return i + 1;
            }
        }
        return to;
    }

    /**
     * Jackson's message without the (redacted) input it names, and with the lines it names counted in
     * the file rather than from where the parser started ({@code firstLine}).
     */
    private static String inFileTerms(String message, int firstLine) {
        return LINE_IN_MESSAGE.matcher(message.replaceAll("\\[Source: [^;\\]]*; ", "["))
                .replaceAll(match -> "line: " + (firstLine + Integer.parseInt(match.group(1)) - 1));
    }

}
