package dev.batchline.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChunkReaderTest {

    /** Hands out at most {@code step} bytes a read, as a network stream may. */
    private static InputStream trickle(byte[] bytes, int step) {
        return new ByteArrayInputStream(bytes) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, step));
            }
        };
    }

    private static List<String> read(ChunkReader reader) throws IOException {
        List<String> seen = new ArrayList<>();
        ChunkReader.Kind kind;
        while ((kind = reader.next()) != ChunkReader.Kind.END) {
            seen.add(kind == ChunkReader.Kind.CHUNK
                    ? new String(reader.array(), 0, reader.length(), StandardCharsets.UTF_8)
                    : "<oversized " + reader.oversizedLineBytes() + ">");
        }
        return seen;
    }

    @Test
    void next_whenLinesCrossReads_handsOutOnlyWholeLinesAndLosesNoByte() throws IOException {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 500; i++) {
            text.append("line-").append(i).append("-").append("x".repeat(i % 37)).append('\n');
        }
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);

        List<String> chunks = read(new ChunkReader(trickle(bytes, 7), 1024, 100, true));

        assertThat(chunks).allSatisfy(chunk -> assertThat(chunk).endsWith("\n"));
        assertThat(String.join("", chunks)).isEqualTo(text.toString());
    }

    @Test
    void next_whenLastLineHasNoNewline_handsItOutAtTheEnd() throws IOException {
        List<String> chunks = read(new ChunkReader(trickle("a\nb".getBytes(StandardCharsets.UTF_8), 1), 1024, 10, true));

        assertThat(String.join("", chunks)).isEqualTo("a\nb");
    }

    @Test
    void next_whenALineIsLongerThanTheLimit_skipsItAndReportsItsSize() throws IOException {
        String text = "short\n" + "y".repeat(5000) + "\nafter\n";

        List<String> chunks = read(new ChunkReader(trickle(text.getBytes(StandardCharsets.UTF_8), 300), 1024, 2000, true));

        assertThat(String.join("|", chunks)).isEqualTo("short\n|<oversized 5001>|after\n");
    }

    @Test
    void next_whenALineIsLongerThanTheBufferButWithinTheLimit_growsTheBuffer() throws IOException {
        String text = "z".repeat(3000) + "\n";

        List<String> chunks = read(new ChunkReader(trickle(text.getBytes(StandardCharsets.UTF_8), 100), 1024, 4000, true));

        assertThat(chunks).containsExactly(text);
    }

    @Test
    void next_whenTheStreamStartsWithAByteOrderMark_dropsItButCountsIt() throws IOException {
        byte[] bytes = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, 'a', '\n'};
        ChunkReader reader = new ChunkReader(trickle(bytes, 1), 1024, 10, true);

        assertThat(read(reader)).containsExactly("a\n");
        assertThat(reader.bytesRead()).isEqualTo(5);
    }

    @Test
    void next_whenTheStreamStartsInsideAFile_keepsWhatLooksLikeAByteOrderMark() throws IOException {
        byte[] bytes = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, 'a', '\n'};
        ChunkReader reader = new ChunkReader(trickle(bytes, 1), 1024, 10, false);

        assertThat(read(reader)).containsExactly("\uFEFFa\n");
    }
}
