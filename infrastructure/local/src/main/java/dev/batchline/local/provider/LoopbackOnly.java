package dev.batchline.local.provider;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The first check of every local service a web page could reach through a browser: a page on
 * another site sends its {@code Origin}, and a page behind a DNS name it rebinds to the loopback
 * address sends that name as {@code Host}. A request passes only when addressed to a loopback
 * name and, where a service allows it, from a loopback origin.
 */
public final class LoopbackOnly {

    /** The status of a refused request. */
    public static final int FORBIDDEN = 403;

    private static final Set<String> LOOPBACK_NAMES = Set.of("127.0.0.1", "localhost", "[::1]");
    private static final Pattern HOST = Pattern.compile("(\\[[^]]*]|[^:]*)(?::\\d+)?");
    private static final Pattern ORIGIN = Pattern.compile("https?://(\\[[^]]*]|[^:/]*)(?::\\d+)?/?");

    private LoopbackOnly() {
    }

    /**
     * Why the request is refused, or empty when it may pass.
     *
     * @param loopbackOrigins whether a page served from a loopback address may call (no service's own
     *                        clients send an Origin, so most allow none)
     */
    public static Optional<String> refusal(String host, String origin, boolean loopbackOrigins) {
        if (host == null || !matches(HOST, host)) {
            return Optional.of("requests must be addressed to a loopback name (127.0.0.1, localhost), not " + host);
        }
        if (origin != null && !(loopbackOrigins && matches(ORIGIN, origin))) {
            return Optional.of("requests from web pages (Origin " + origin + ") are refused");
        }
        return Optional.empty();
    }

    private static boolean matches(Pattern pattern, String value) {
        Matcher matcher = pattern.matcher(value.trim().toLowerCase(Locale.ROOT));
        return matcher.matches() && LOOPBACK_NAMES.contains(matcher.group(1));
    }
}
