package io.vigil.connectors.chunks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.Tuple.Tuple2;
import org.junit.jupiter.api.Test;

/** Bits come back in the order and width written, most significant bit first. */
class BitWriterReaderTest {

    @Test
    void packsBitsMostSignificantFirstAndPadsWithZeros() {
        BitWriter writer = new BitWriter();
        writer.writeBits(0b101, 3);
        writer.writeBit(true);
        writer.writeBits(0xABC, 12);
        writer.writeBits(-1L, 2);

        assertThat(writer.bitCount()).isEqualTo(18);
        assertThat(bytes(writer)).isEqualTo(HexFormat.of().parseHex("babcc0"));
    }

    @Test
    void writesValuesThatStraddleWords() {
        BitWriter writer = new BitWriter();
        writer.writeBits(0, 60);
        writer.writeBits(0x0123_4567_89ab_cdefL, 64);
        writer.writeBits(0xF, 4);

        assertThat(bytes(writer))
                .isEqualTo(HexFormat.of().parseHex("0000000000000000123456789abcdeff"));
        BitReader reader = new BitReader(bytes(writer));
        assertThat(reader.readBits(60)).isZero();
        assertThat(reader.readBits(64)).isEqualTo(0x0123_4567_89ab_cdefL);
        assertThat(reader.readBits(4)).isEqualTo(0xF);
        assertThat(reader.remainingBits()).isZero();
    }

    @Test
    void copyingLeavesTheWriterAppendable() {
        BitWriter writer = new BitWriter();
        writer.writeBits(0b1, 1);
        byte[] first = bytes(writer);
        writer.writeBits(0b1, 1);

        assertThat(first).containsExactly((byte) 0x80);
        assertThat(bytes(writer)).containsExactly((byte) 0xC0);
    }

    @Test
    void readingPastTheEndIsAFormatError() {
        BitReader reader = new BitReader(new byte[] {(byte) 0xFF});
        reader.readBits(5);

        assertThatThrownBy(() -> reader.readBits(4))
                .isInstanceOf(ChunkFormatException.class)
                .hasMessageContaining("needed 4 bits at bit 5, but only 3 remain");
        assertThatCode(() -> new BitReader(new byte[8]).readBits(64)).doesNotThrowAnyException();
        assertThatThrownBy(() -> new BitReader(new byte[7]).readBits(64))
                .isInstanceOf(ChunkFormatException.class);
        assertThatThrownBy(() -> new BitReader(new byte[0]).readBit())
                .isInstanceOf(ChunkFormatException.class);
    }

    @Property
    void readsBackWhatWasWritten(@ForAll("writes") List<Tuple2<Long, Integer>> writes) {
        BitWriter writer = new BitWriter();
        long bits = 0;
        for (Tuple2<Long, Integer> write : writes) {
            writer.writeBits(write.get1(), write.get2());
            bits += write.get2();
        }
        assertThat(writer.bitCount()).isEqualTo(bits);
        assertThat(writer.byteLength()).isEqualTo((int) ((bits + 7) / 8));

        BitReader reader = new BitReader(bytes(writer));
        for (Tuple2<Long, Integer> write : writes) {
            int width = write.get2();
            long expected = width == 64 ? write.get1() : write.get1() & ((1L << width) - 1);
            assertThat(reader.readBits(width)).isEqualTo(expected);
        }
        assertThat(reader.remainingBits()).isLessThan(8);
    }

    /** (value, width) pairs; the value may have bits above the width, which must be ignored. */
    @Provide
    Arbitrary<List<Tuple2<Long, Integer>>> writes() {
        return Combinators.combine(Arbitraries.longs(), Arbitraries.integers().between(0, 64))
                .as(Tuple::of)
                .list()
                .ofMaxSize(200);
    }

    private static byte[] bytes(BitWriter writer) {
        byte[] bytes = new byte[writer.byteLength()];
        writer.copyTo(bytes, 0);
        return bytes;
    }
}
