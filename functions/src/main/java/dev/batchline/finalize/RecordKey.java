package dev.batchline.finalize;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The S3 name of a request's record: the custom_id itself when it is a plain name
 * ({@code [A-Za-z0-9._-]{1,200}}, not {@code .} or {@code ..}), otherwise its percent-encoding, so
 * a consumer can always recover the custom_id. An encoding too long for an S3 key (ids of many
 * non-ASCII characters) becomes {@code ~} and a SHA-256 of the id; the record's content carries it.
 */
public final class RecordKey {

    private static final int MAX_ENCODED = 900;

    private RecordKey() {
    }

    public static String of(String customId) {
        if (customId.matches("[A-Za-z0-9._-]{1,200}") && !customId.equals(".") && !customId.equals("..")) {
            return customId;
        }
        StringBuilder encoded = new StringBuilder();
        for (byte b : customId.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xFF);
            if (c < 0x80 && (Character.isLetterOrDigit(c) || c == '-' || c == '_') ) {
                encoded.append(c);
            } else {
                encoded.append('%').append(String.format("%02X", b & 0xFF));
            }
        }
        if (encoded.length() <= MAX_ENCODED) {
            return encoded.toString();
        }
        try {
            return "~" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(customId.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java runtime", e);
        }
    }
}
