package dev.batchline.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Utf8Test {

    private static byte[] hex(String hex) {
        byte[] bytes = new byte[hex.length() / 2];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
        }
        return bytes;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "ascii,                    41424344",
        "two bytes (e-acute),      C3A9",
        "three bytes (euro),       E282AC",
        "four bytes (emoji),       F09F9880",
        "highest code point,       F48FBFBF",
    })
    void firstInvalid_whenWellFormed_returnsMinusOne(String name, String hex) {
        byte[] bytes = hex(hex.trim());
        assertThat(Utf8.firstInvalid(bytes, 0, bytes.length)).isEqualTo(-1);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "lone continuation,        41,80",
        "overlong two bytes,       41,C0AF",
        "overlong three bytes,     41,E080AF",
        "surrogate,                41,EDA080",
        "above U+10FFFF,           41,F4908080",
        "truncated at the end,     41,E282",
        "lead byte then ASCII,     41,E941",
        "invalid byte FF,          41,FF",
    })
    void firstInvalid_whenMalformed_pointsAtTheSequence(String name, String prefix, String bad) {
        byte[] bytes = hex(prefix.trim() + bad.trim());
        assertThat(Utf8.firstInvalid(bytes, 0, bytes.length)).isEqualTo(1);
    }

    @ParameterizedTest(name = "invalid byte at {0}")
    @CsvSource({"0", "7", "8", "31", "32", "33", "63", "64", "100"})
    void firstInvalid_whenTheBadByteFollowsALongAsciiRun_findsItsExactOffset(int offset) {
        byte[] bytes = "a".repeat(120).getBytes(StandardCharsets.US_ASCII);
        bytes[offset] = (byte) 0xFF;

        assertThat(Utf8.firstInvalid(bytes, 0, bytes.length)).isEqualTo(offset);
        assertThat(Utf8.firstInvalid(bytes, 0, offset)).isEqualTo(-1);
    }
}
