package io.vigil.connectors.chunks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Hand-made bad chunks, one per check of the decoder, each failing with a useful message. */
class ChunkDecoderTest {

    private static final long T0 = Instant.parse("2025-03-01T00:00:00Z").toEpochMilli();
    private static final byte VERSION = (byte) ChunkFormat.VERSION;

    @Test
    void streamsSamplesInOrder() {
        Series series = new Series(new long[] {T0, T0 + 10_000}, new double[] {0.25, 0.5});
        ChunkDecoder decoder = ChunkDecoder.open(series.encode());

        assertThat(decoder.count()).isEqualTo(2);
        assertThatThrownBy(decoder::timestamp).isInstanceOf(IllegalStateException.class);
        assertThat(decoder.advance()).isTrue();
        assertThat(decoder.timestamp()).isEqualTo(T0);
        assertThat(decoder.value()).isEqualTo(0.25);
        assertThat(decoder.advance()).isTrue();
        assertThat(decoder.timestamp()).isEqualTo(T0 + 10_000);
        assertThat(decoder.value()).isEqualTo(0.5);
        assertThat(decoder.advance()).isFalse();
        assertThat(decoder.timestamp()).isEqualTo(T0 + 10_000);
    }

    @Test
    void rejectsEmptyInput() {
        assertThatThrownBy(() -> Chunk.decode(new byte[0]))
                .isInstanceOf(ChunkFormatException.class)
                .hasMessageContaining("truncated");
    }

    @Test
    void rejectsUnknownVersions() {
        assertThatThrownBy(() -> Chunk.decode(new byte[] {2, 0}))
                .isInstanceOf(ChunkFormatException.class)
                .hasMessageContaining("unsupported chunk format version 2");
    }

    @Test
    void rejectsBadSampleCounts() {
        assertThatThrownBy(() -> Chunk.decode(new byte[] {VERSION, -1, -1, -1, -1, 0x0F}))
                .isInstanceOf(ChunkFormatException.class)
                .hasMessageContaining("sample count 4294967295 is out of range");
        assertThatThrownBy(() -> Chunk.decode(new byte[] {VERSION, -1, -1, -1, -1, -1, 0}))
                .isInstanceOf(ChunkFormatException.class)
                .hasMessageContaining("longer than 5 bytes");
    }

    @Test
    void rejectsCountsTheBytesCannotHold() {
        // Integer.MAX_VALUE samples in 16 bytes: must fail before allocating anything for them.
        byte[] bytes = new byte[2 + 5 + 16];
        bytes[0] = VERSION;
        ChunkFormat.writeVarint(bytes, 1, Integer.MAX_VALUE);

        assertThatThrownBy(() -> Chunk.decode(bytes))
                .isInstanceOf(ChunkFormatException.class)
                .hasMessageContaining("claims 2147483647 samples");
    }

    @Test
    void rejectsBytesAfterTheLastSample() {
        byte[] valid = new Series(new long[] {T0}, new double[] {1.0}).encode();

        assertThatThrownBy(() -> Chunk.decode(Arrays.copyOf(valid, valid.length + 1)))
                .isInstanceOf(ChunkFormatException.class)
                .hasMessageContaining("8 bits follow the last of 1 samples");
        assertThatThrownBy(() -> Chunk.decode(new byte[] {VERSION, 0, 0}))
                .isInstanceOf(ChunkFormatException.class);
    }

    @Test
    void rejectsNonZeroPadding() {
        // Two samples: 128 + 2 bits, so the last byte carries 6 bits of padding.
        byte[] encoded = new Series(new long[] {T0, T0}, new double[] {1.0, 1.0}).encode();
        encoded[encoded.length - 1] |= 0x01;

        assertThatThrownBy(() -> Chunk.decode(encoded))
                .isInstanceOf(ChunkFormatException.class)
                .hasMessageContaining("expected zero padding");
    }

    @Test
    void rejectsReusingAWindowBeforeAnyWasSet() {
        BitWriter samples = firstSample();
        samples.writeBit(false); // same timestamp
        samples.writeBits(0b10, 2); // reuse the (missing) window
        samples.writeBits(0, 13);

        assertThatThrownBy(() -> Chunk.decode(chunk(2, samples)))
                .isInstanceOf(ChunkFormatException.class)
                .hasMessageContaining("reuses a window of meaningful bits before any was set");
    }

    @Test
    void rejectsWindowsWiderThanSixtyFourBits() {
        BitWriter samples = firstSample();
        samples.writeBit(false);
        samples.writeBits(0b11, 2);
        samples.writeBits(31, ChunkFormat.LEADING_ZEROS_BITS);
        samples.writeBits(63, ChunkFormat.MEANINGFUL_LENGTH_BITS);
        samples.writeBits(-1L, 64);

        assertThatThrownBy(() -> Chunk.decode(chunk(2, samples)))
                .isInstanceOf(ChunkFormatException.class)
                .hasMessageContaining("31 leading zeros and 64 meaningful bits exceed 64 bits");
    }

    @Test
    void rejectsEveryTruncationOfARealisticChunk() {
        byte[] encoded = ChunkCompressionTest.typicalGauge().encode();

        for (int length = 0; length < encoded.length; length++) {
            byte[] prefix = Arrays.copyOf(encoded, length);
            assertThatThrownBy(() -> Chunk.decode(prefix))
                    .as("prefix of %d of %d bytes", length, encoded.length)
                    .isInstanceOf(ChunkFormatException.class);
        }
    }

    private static BitWriter firstSample() {
        BitWriter samples = new BitWriter();
        samples.writeBits(T0, 64);
        samples.writeBits(Double.doubleToRawLongBits(1.0), 64);
        return samples;
    }

    private static byte[] chunk(int count, BitWriter samples) {
        byte[] bytes = new byte[1 + ChunkFormat.varintLength(count) + samples.byteLength()];
        bytes[0] = VERSION;
        samples.copyTo(bytes, ChunkFormat.writeVarint(bytes, 1, count));
        return bytes;
    }
}
