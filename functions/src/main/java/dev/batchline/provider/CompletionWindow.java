package dev.batchline.provider;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A batch's {@code completion_window} as a duration: a whole number and a unit, {@code s}, {@code m},
 * {@code h} or {@code d} ({@code "24h"}, {@code "90s"}). Providers take {@code 24h}; the shorter units
 * let tests and local runs reach a deadline in seconds.
 */
public final class CompletionWindow {

    private static final Pattern FORM = Pattern.compile("([1-9][0-9]{0,5})([smhd])");

    private CompletionWindow() {
    }

    /** The window's length; a value of another form is refused, naming it. */
    public static Duration parse(String window) {
        Matcher matcher = window == null ? null : FORM.matcher(window);
        if (matcher == null || !matcher.matches()) {
            throw new IllegalArgumentException("completion window \"" + window
                    + "\" is not a whole number followed by s, m, h or d (e.g. 24h, 90s)");
        }
        long amount = Long.parseLong(matcher.group(1));
        return switch (matcher.group(2)) {
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
        };
    }
}
