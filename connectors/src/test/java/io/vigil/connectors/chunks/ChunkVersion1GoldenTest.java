package io.vigil.connectors.chunks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * Version-1 chunks stay readable forever: {@code samples_raw} keeps them for 30 days and archives
 * longer. These bytes were written by the version-1 encoder before version 2 existed and must never
 * be regenerated; each decodes to the samples it was made from, bit for bit.
 */
class ChunkVersion1GoldenTest {

    private static final long T0 = 1_700_000_000_000L;

    @Test
    void decodesAnEmptyChunk() {
        assertThat(Chunk.decode(hex("0100")).size()).isZero();
    }

    @Test
    void decodesAJitteredDecimalGauge() {
        // Decimals, which the encoder now writes as version 2, but which were XOR-coded then.
        assertDecodes(
                "01080000018bcfe568004042b5c28f5c28f6e09c4fa538b62d8b62dde108e75f8de378de34df37dba7"
                        + "ae147ae14ccb7e1feb851eb851fdb661fbff98a9ea7a9ea79e256fe45430a3d70a3d80",
                new long[] {
                    T0,
                    T0 + 10_003,
                    T0 + 19_998,
                    T0 + 30_001,
                    T0 + 40_000,
                    T0 + 50_049,
                    T0 + 59_950,
                    T0 + 70_000
                },
                new long[] {
                    Double.doubleToRawLongBits(37.42),
                    Double.doubleToRawLongBits(37.45),
                    Double.doubleToRawLongBits(37.45),
                    Double.doubleToRawLongBits(37.31),
                    Double.doubleToRawLongBits(38.0),
                    Double.doubleToRawLongBits(37.99),
                    Double.doubleToRawLongBits(0.07),
                    Double.doubleToRawLongBits(1234.5)
                });
    }

    @Test
    void decodesSpecialValuesAndTimestampsAtTheEndsOfTheRange() {
        assertDecodes(
                "010780000000000000007ff8000000000000f7fffffffffffffffd99c000000000000fc000000000"
                    + "00000160ffffc0000000000006ff80bfff82e1fbff8000000000000fbffffffffffffffae0"
                    + "ffffe0000000000007e000000000000001ac02b3333333333340",
                new long[] {Long.MIN_VALUE, -1, 0, 0, 5, Long.MAX_VALUE, Long.MAX_VALUE},
                new long[] {
                    Double.doubleToRawLongBits(Double.NaN),
                    0x7ff0_0000_0000_0001L, // signalling NaN
                    Double.doubleToRawLongBits(-0.0),
                    Double.doubleToRawLongBits(Double.POSITIVE_INFINITY),
                    Double.doubleToRawLongBits(Double.MIN_VALUE),
                    0xfff8_0000_0000_0000L, // quiet NaN with the sign bit set
                    Double.doubleToRawLongBits(0.1 + 0.2)
                });
    }

    @Test
    void decodesIntegersInPages() {
        assertDecodes(
                "01060000018bcfe56800414f400000000000e0ea639838de2ead6446dd4080",
                new long[] {T0, T0 + 15_000, T0 + 30_000, T0 + 45_000, T0 + 60_000, T0 + 75_000},
                new long[] {
                    Double.doubleToRawLongBits(4096.0 * 1000),
                    Double.doubleToRawLongBits(4096.0 * 1003),
                    Double.doubleToRawLongBits(4096.0 * 1003),
                    Double.doubleToRawLongBits(4096.0 * 990),
                    Double.doubleToRawLongBits(4096.0 * 2000),
                    Double.doubleToRawLongBits(4096.0 * 2001)
                });
    }

    private static void assertDecodes(String hex, long[] timestamps, long[] valueBits) {
        byte[] bytes = hex(hex);
        assertThat(bytes[0]).isEqualTo((byte) 1);

        Chunk chunk = Chunk.decode(bytes);

        assertThat(chunk.timestamps()).containsExactly(timestamps);
        assertThat(Series.rawBits(chunk.values())).containsExactly(valueBits);
        ChunkDecoder streamed = ChunkDecoder.open(bytes);
        for (int i = 0; streamed.advance(); i++) {
            assertThat(streamed.timestamp()).isEqualTo(timestamps[i]);
            assertThat(Double.doubleToRawLongBits(streamed.value())).isEqualTo(valueBits[i]);
        }
    }

    private static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex);
    }
}
