package dev.batchline.ingest;

/**
 * One problem in a batch file, in the shape of OpenAI's batch {@code errors.data[]}.
 *
 * @param line    1-based line number, or null for a problem of the whole file
 * @param code    what is wrong
 * @param message what was expected and what was found
 * @param param   the field at fault ({@code custom_id}, {@code body.model}, ...), or null
 */
public record ValidationIssue(Integer line, ValidationCode code, String message, String param) {
}
