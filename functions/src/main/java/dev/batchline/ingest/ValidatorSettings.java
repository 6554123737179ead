package dev.batchline.ingest;

/**
 * How much a validation may list and how much JSON it will take apart.
 *
 * @param maxListedErrors  problems listed in a report; all are counted
 * @param maxNestingDepth  deepest JSON nesting accepted in a line
 * @param readBufferBytes  size of the read buffer (lines up to this size are parsed in place)
 */
public record ValidatorSettings(int maxListedErrors, int maxNestingDepth, int readBufferBytes) {

    public static final ValidatorSettings DEFAULTS = new ValidatorSettings(100, 128, 256 * 1024);

    public ValidatorSettings {
        if (maxListedErrors < 0 || maxNestingDepth < 1 || readBufferBytes < 1024) {
            throw new IllegalArgumentException("invalid validator settings: " + maxListedErrors + ", "
                    + maxNestingDepth + ", " + readBufferBytes);
        }
    }
}
