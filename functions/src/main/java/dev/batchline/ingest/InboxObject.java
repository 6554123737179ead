package dev.batchline.ingest;

import dev.batchline.storage.S3Layout;
import java.util.Locale;
import java.util.Optional;

/**
 * What an object key under {@code inbox/} asks for: {@code inbox/<name>.jsonl} uses the default
 * profile, {@code inbox/<profile>/<name>.jsonl} names one. Nothing else is Batchline's input, so
 * the trigger never reacts to its own outputs.
 *
 * @param profile the profile the key names (not necessarily a known one)
 */
public record InboxObject(String profile) {

    public static Optional<InboxObject> parse(String key, String defaultProfile) {
        if (!key.startsWith(S3Layout.INBOX) || !key.toLowerCase(Locale.ROOT).endsWith(".jsonl")) {
            return Optional.empty();
        }
        String rest = key.substring(S3Layout.INBOX.length());
        int slash = rest.indexOf('/');
        return Optional.of(new InboxObject(slash < 0 ? defaultProfile : rest.substring(0, slash)));
    }
}
