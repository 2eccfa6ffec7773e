package io.vigil.connectors.chunks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Hand-made bad chunks, one per check of the decoder, each failing with a useful message. */
class ChunkDecoderTest {

    private static final long T0 = Instant.parse("2025-03-01T00:00:00Z").toEpochMilli();
    private static final byte VERSION = (byte) ChunkFormat.VERSION_XOR;

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
        assertThatThrownBy(() -> Chunk.decode(new byte[] {3, 0}))
                .isInstanceOf(ChunkFormatException.class)
                .hasMessageContaining("unsupported chunk format version 3");
        assertThatThrownBy(() -> Chunk.decode(new byte[] {0, 0}))
                .isInstanceOf(ChunkFormatException.class)
                .hasMessageContaining("unsupported chunk format version 0");
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
    void rejectsEveryTruncationOfARealisticDecimalChunk() {
        byte[] encoded = ChunkCompressionTest.typicalGauge().encode();

        for (int length = 0; length < encoded.length; length++) {
            byte[] prefix = Arrays.copyOf(encoded, length);
            assertThatThrownBy(() -> Chunk.decode(prefix))
                    .as("prefix of %d of %d bytes", length, encoded.length)
                    .isInstanceOf(ChunkFormatException.class);
        }
    }

    @Test
    void rejectsDecimalScalesAndStepsOutOfRange() {
        byte decimal = (byte) ChunkFormat.VERSION_DECIMAL;
        assertThatThrownBy(() -> ChunkDecoder.open(new byte[] {decimal, 0, 13, 1}))
                .isInstanceOf(ChunkFormatException.class)
                .hasMessageContaining("decimal scale 13 is out of range [0, 12]");
        assertThatThrownBy(() -> ChunkDecoder.open(new byte[] {decimal, 0, -1, 1}))
                .isInstanceOf(ChunkFormatException.class)
                .hasMessageContaining("decimal scale 255 is out of range");
        assertThatThrownBy(() -> ChunkDecoder.open(new byte[] {decimal, 0, 2, 0}))
                .isInstanceOf(ChunkFormatException.class)
                .hasMessageContaining("decimal step 0 is out of range");
        // 2^56 - 1: past the largest step, 2^54 - 2.
        byte[] hugeStep = {decimal, 0, 2, -1, -1, -1, -1, -1, -1, -1, 0x7F};
        assertThatThrownBy(() -> ChunkDecoder.open(hugeStep))
                .isInstanceOf(ChunkFormatException.class)
                .hasMessageContaining("decimal step 72057594037927935 is out of range");
        assertThat(ChunkDecoder.open(new byte[] {decimal, 0, 12, 1}).advance()).isFalse();
    }

    @Test
    void rejectsUnscaledValuesBeyondTwoToTheFiftyThree() {
        BitWriter samples = new BitWriter();
        samples.writeBits(T0, 64);
        samples.writeBits(1L << 53, 64);

        assertThatThrownBy(() -> Chunk.decode(decimalChunk(1, 1, samples)))
                .isInstanceOf(ChunkFormatException.class)
                .hasMessageContaining("unscaled value 9007199254740992 is out of range");

        BitWriter minimum = new BitWriter();
        minimum.writeBits(T0, 64);
        minimum.writeBits(Long.MIN_VALUE, 64);
        assertThatThrownBy(() -> Chunk.decode(decimalChunk(1, 1, minimum)))
                .isInstanceOf(ChunkFormatException.class)
                .hasMessageContaining("out of range");
    }

    @Test
    void rejectsDecimalDifferencesThatLeaveTheRange() {
        // From 2^53 - 1, one more step of 1.
        BitWriter up = new BitWriter();
        up.writeBits(T0, 64);
        up.writeBits(ChunkFormat.MAX_UNSCALED, 64);
        up.writeBit(false);
        ChunkFormat.writeDecimalDelta(up, 1);
        assertThatThrownBy(() -> Chunk.decode(decimalChunk(2, 1, up)))
                .isInstanceOf(ChunkFormatException.class)
                .hasMessageContaining("unscaled value 9007199254740992 is out of range");

        // A difference of Long.MIN_VALUE steps of 3, whose product would overflow.
        BitWriter overflowing = new BitWriter();
        overflowing.writeBits(T0, 64);
        overflowing.writeBits(0, 64);
        overflowing.writeBit(false);
        ChunkFormat.writeDecimalDelta(overflowing, Long.MIN_VALUE);
        assertThatThrownBy(() -> Chunk.decode(decimalChunk(2, 3, overflowing)))
                .isInstanceOf(ChunkFormatException.class)
                .hasMessageContaining("steps of 3 is out of range");
    }

    @Test
    void rejectsEveryTruncationOfARealisticXorChunk() {
        byte[] encoded =
                ChunkCompressionTest.typicalGauge().encoder().toByteArray(ChunkFormat.VERSION_XOR);

        for (int length = 0; length < encoded.length; length++) {
            byte[] prefix = Arrays.copyOf(encoded, length);
            assertThatThrownBy(() -> Chunk.decode(prefix))
                    .as("prefix of %d of %d bytes", length, encoded.length)
                    .isInstanceOf(ChunkFormatException.class);
        }
    }

    /** A version-2 chunk at scale 2 with a step that fits one varint byte. */
    private static byte[] decimalChunk(int count, int step, BitWriter samples) {
        byte[] bytes = new byte[1 + ChunkFormat.varintLength(count) + 2 + samples.byteLength()];
        bytes[0] = (byte) ChunkFormat.VERSION_DECIMAL;
        int offset = ChunkFormat.writeVarint(bytes, 1, count);
        bytes[offset++] = 2;
        bytes[offset++] = (byte) step;
        samples.copyTo(bytes, offset);
        return bytes;
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
