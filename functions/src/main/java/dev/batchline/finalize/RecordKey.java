package dev.batchline.finalize;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The S3 name of a request's record, the same on AWS and locally, one name per custom_id:
 * <ul>
 * <li>the custom_id itself when it is a plain name ({@code [A-Za-z0-9._-]{1,200}}, not {@code .}
 *     or {@code ..});</li>
 * <li>otherwise its UTF-8 percent-encoding (letters, digits, {@code -} and {@code _} kept), cut into
 *     segments of at most {@value #SEGMENT} characters joined by {@code /} so no path segment passes
 *     a file system's 255-byte limit; a {@code /} of the id is {@code %2F}, so removing the
 *     {@code /}s and decoding gives the id back;</li>
 * <li>when that encoding would pass {@value #MAX_ENCODED} characters (S3 keys end at 1,024 bytes;
 *     512 four-byte characters encode to 6,144), {@code ~} and the SHA-256 of the id in hex: the
 *     record's content carries the custom_id.</li>
 * </ul>
 * The three forms cannot meet: plain names have no {@code %} nor {@code ~} and are at most 200
 * characters, encodings of other ids have a {@code %} or pass 200, and only hashes begin with {@code ~}.
 */
public final class RecordKey {

    static final int SEGMENT = 200;
    static final int MAX_ENCODED = 900;
    private static final String HASHED = "~";

    private RecordKey() {
    }

    public static String of(String customId) {
        if (isPlain(customId)) {
            return customId;
        }
        String encoded = percentEncoded(customId);
        if (encoded.length() > MAX_ENCODED) {
            return hashed(customId);
        }
        return segmented(encoded);
    }

    /** {@code ~} and the SHA-256 of the id: a name of 65 characters no other id's key or hash can take. */
    public static String hashed(String customId) {
        return HASHED + sha256(customId);
    }

    /** The id's UTF-8 percent-encoding: ASCII, so it fits where only ASCII may go (S3 metadata). */
    public static String percentEncoded(String customId) {
        StringBuilder encoded = new StringBuilder();
        for (byte b : customId.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xFF);
            if (c < 0x80 && (Character.isLetterOrDigit(c) || c == '-' || c == '_')) {
                encoded.append(c);
            } else {
                encoded.append('%').append(String.format("%02X", b & 0xFF));
            }
        }
        return encoded.toString();
    }

    /** The custom_id a key names, or empty for a hashed key (read the record's content then). */
    public static Optional<String> customIdOf(String key) {
        if (key.startsWith(HASHED)) {
            return Optional.empty();
        }
        if (!key.contains("%") && key.length() <= SEGMENT) {
            return Optional.of(key);
        }
        String joined = key.replace("/", "");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < joined.length(); i++) {
            char c = joined.charAt(i);
            if (c == '%') {
                bytes.write(Integer.parseInt(joined.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                bytes.write(c);
            }
        }
        return Optional.of(bytes.toString(StandardCharsets.UTF_8));
    }

    private static boolean isPlain(String customId) {
        return customId.length() <= SEGMENT && customId.matches("[A-Za-z0-9._-]+") && !customId.equals(".")
                && !customId.equals("..");
    }

    /** Cuts between escapes, never inside one, so each segment reads on its own. */
    private static String segmented(CharSequence encoded) {
        StringBuilder key = new StringBuilder();
        int segmentStart = 0;
        for (int i = 0; i < encoded.length(); ) {
            int width = encoded.charAt(i) == '%' ? 3 : 1;
            if (i + width - segmentStart > SEGMENT) {
                key.append('/');
                segmentStart = i;
            }
            key.append(encoded, i, i + width);
            i += width;
        }
        return key.toString();
    }

    private static String sha256(String customId) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(customId.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java runtime", e);
        }
    }
}
