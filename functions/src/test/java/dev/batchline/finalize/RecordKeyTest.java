package dev.batchline.finalize;

import static org.assertj.core.api.Assertions.assertThat;

import dev.batchline.testing.CustomIds;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Record keys over every id the validator accepts: each fits S3 and a file system, and names one id. */
class RecordKeyTest {

    /** S3 keys end at 1,024 bytes; the longest prefix is {@code errors/<job id>/records/} and {@code .json}. */
    private static final int ROOM_FOR_THE_KEY = 1_024 - "errors/".length() - 64 - "/records/".length() - ".json".length();
    private static final Map<String, String> ID_BY_KEY = new HashMap<>();

    @Provide
    Arbitrary<String> ids() {
        return CustomIds.accepted();
    }

    @Property(tries = 3_000)
    void everyAcceptedId_getsAKeyThatFitsEveryStore_andGivesTheIdBack(@ForAll("ids") String id) {
        String key = RecordKey.of(id);

        assertThat(key.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(ROOM_FOR_THE_KEY);
        for (String segment : key.split("/")) {
            assertThat(segment).isNotEmpty().isNotIn(".", "..");
            assertThat((segment + ".json").getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(255);
        }
        assertThat(key).isEqualTo(RecordKey.of(id));
        RecordKey.customIdOf(key).ifPresentOrElse(back -> assertThat(back).isEqualTo(id),
                () -> assertThat(key).isEqualTo(RecordKey.hashed(id)));
        String before = ID_BY_KEY.putIfAbsent(key, id);
        assertThat(before == null || before.equals(id)).as("%s and %s share the key %s", before, id, key).isTrue();
    }

    @Property(tries = 200)
    void percentEncoding_isAsciiForS3Metadata(@ForAll("ids") String id) {
        assertThat(RecordKey.percentEncoded(id)).matches("[A-Za-z0-9_%-]+");
    }
}
