package dev.batchline.ids;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PartIndexTest {

    private final AtomicInteger reads = new AtomicInteger();

    private PartIndex build(List<String> ids) throws IOException {
        PartIndexBuilder builder = new PartIndexBuilder();
        Fingerprinter fingerprint = new Fingerprinter();
        for (String id : ids) {
            fingerprint.hash(id);
            builder.add(fingerprint.first(), fingerprint.second());
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        builder.writeTo(out);
        byte[] bytes = out.toByteArray();
        return PartIndex.open((offset, length) -> {
            reads.incrementAndGet();
            return Arrays.copyOfRange(bytes, Math.toIntExact(offset), Math.toIntExact(offset + length));
        });
    }

    private static int lineOf(PartIndex index, String id) {
        Fingerprinter fingerprint = new Fingerprinter();
        fingerprint.hash(id);
        return index.lineOf(fingerprint.first(), fingerprint.second());
    }

    @Test
    void lineOf_findsEveryIdAtItsLine_inAboutOneReadEach() throws IOException {
        List<String> ids = IntStream.range(0, 20_000).mapToObj(i -> "ticket-" + i).toList();
        PartIndex index = build(ids);
        reads.set(0);

        for (int line = 0; line < ids.size(); line++) {
            assertThat(lineOf(index, ids.get(line))).as(ids.get(line)).isEqualTo(line);
        }

        assertThat(index.size()).isEqualTo(20_000);
        assertThat(reads.get()).isLessThan(ids.size() * 11 / 10);
    }

    @Test
    void lineOf_anIdThePartDoesNotHold_isMinusOne() throws IOException {
        PartIndex index = build(IntStream.range(0, 1_000).mapToObj(i -> "ticket-" + i).toList());

        assertThat(IntStream.range(1_000, 3_000).map(i -> lineOf(index, "ticket-" + i))).containsOnly(-1);
        assertThat(lineOf(index, "")).isEqualTo(-1);
    }

    @Test
    void lineOf_inAPartOfOneId_andInASmallFullTable_wrapsAroundTheEnd() throws IOException {
        PartIndex one = build(List.of("only"));
        assertThat(lineOf(one, "only")).isZero();
        assertThat(lineOf(one, "other")).isEqualTo(-1);

        List<String> five = List.of("a", "b", "c", "d", "e");
        PartIndex small = build(five);
        for (int line = 0; line < five.size(); line++) {
            assertThat(lineOf(small, five.get(line))).isEqualTo(line);
        }
    }

    @Test
    void open_whenTheObjectIsNotAnIndex_refusesIt() {
        assertThatThrownBy(() -> PartIndex.open((offset, length) -> new byte[length]))
                .hasMessageContaining("not a Batchline part index");
    }

    @Test
    void slotCount_isAPowerOfTwoAtMostSeventyPercentFull() {
        for (int ids : new int[] {1, 7, 8, 100, 50_000, 5_000_000}) {
            long slots = PartIndex.slotCountFor(ids);
            assertThat(Long.bitCount(slots)).isEqualTo(1);
            assertThat(ids).isLessThanOrEqualTo((int) (slots * 7 / 10));
        }
    }
}
