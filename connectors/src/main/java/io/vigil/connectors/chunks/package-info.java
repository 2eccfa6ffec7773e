/**
 * Compressed chunks of raw samples, after Facebook's Gorilla (Pelkonen et al., VLDB 2015): the
 * encoding of the {@code samples_raw} table, whose rows hold a series' samples from {@code
 * chunk_start} on, with their count, min, max and these bytes. Plain Java, with no Flink or
 * Cassandra classes, so that a query service can decode chunks too.
 *
 * <p>{@link io.vigil.connectors.chunks.ChunkEncoder} writes a chunk; {@link
 * io.vigil.connectors.chunks.Chunk#decode} reads it whole and {@link
 * io.vigil.connectors.chunks.ChunkDecoder} streams it; both read every format version ever written.
 * They round-trip every sample exactly: every non-decreasing sequence of {@code long} timestamps,
 * and every double bit for bit ({@code doubleToRawLongBits}: NaN payloads, -0.0, infinities,
 * subnormals). Bad bytes fail with {@link io.vigil.connectors.chunks.ChunkFormatException} and
 * nothing else.
 *
 * <h2>Format, version 1</h2>
 *
 * Bits are written most significant first; multi-bit fields are big-endian.
 *
 * <pre>
 * header   8 bits              format version, 1
 *          1 to 5 bytes        sample count n, unsigned LEB128 varint (7 bits a byte, low
 *                              group first, high bit = more bytes follow)
 * sample 0 (if n &gt; 0)
 *          64 bits             timestamp, milliseconds since the epoch, two's complement
 *          64 bits             value, the raw bits of the double
 * sample i = 1 .. n-1: its timestamp, then its value
 *   timestamp, as D = delta(i) - delta(i-1), with delta(i) = t(i) - t(i-1) and delta(0) = 0,
 *   all computed mod 2^64 (plain wrapping long arithmetic on both sides), in the first bucket
 *   that holds D as a two's complement number:
 *          '0'                 D = 0
 *          '10'   + 7 bits     D in [-64, 63]
 *          '110'  + 10 bits    D in [-512, 511]
 *          '1110' + 18 bits    D in [-131072, 131071]
 *          '1111' + 64 bits    any D
 *   value, as X = bits(i) XOR bits(i-1):
 *          '0'                 X = 0, the value repeats
 *          '10'   + m bits     X fits the current window (below): its m = 64 - L - T bits
 *                              between L leading and T trailing zeros
 *          '11'   + 5 bits L   a new window: L = min(leading zeros of X, 31),
 *                 + 6 bits m-1   m = 64 - L - T meaningful bits, T the trailing zeros of X,
 *                 + m bits       stored minus 1 because m is 1 to 64, and 64 needs 7 bits
 * padding  0 to 7 zero bits    to the end of the last byte; nothing may follow
 * </pre>
 *
 * An empty chunk is the two bytes {@code 01 00}. The window is that of the last '11'; a '10' before
 * any '11' is invalid.
 *
 * <h2>Format, version 2: scaled decimals</h2>
 *
 * For chunks whose values are all decimals, as exporters print them: every value v is exactly the
 * double nearest to m / 10^k for an integer m with |m| &lt; 2^53 and one scale k of the chunk. The
 * values are stored as the integers m; the decoder computes {@code (double) m / 10^k}, one IEEE
 * division of two exact operands, which is correctly rounded and so the very double that parsing
 * the decimal text gives.
 *
 * <pre>
 * header   8 bits              format version, 2
 *          1 to 5 bytes        sample count n, varint as in version 1
 *          8 bits              scale k, 0 to 12
 *          1 to 8 bytes        step g, 1 to 2^54 - 2, unsigned LEB128 varint: the GCD of all
 *                              differences m(i) - m(i-1), or 1 if there are none
 * sample 0 (if n &gt; 0)
 *          64 bits             timestamp, as in version 1
 *          64 bits             m(0), two's complement, |m(0)| &lt; 2^53
 * sample i = 1 .. n-1: its timestamp, then its value
 *   timestamp exactly as in version 1
 *   value, as Q = (m(i) - m(i-1)) / g, in the first bucket that holds Q as a two's complement
 *   number:
 *          '0'                 Q = 0, the value repeats
 *          '10'     + 4 bits   Q in [-8, 7]
 *          '110'    + 7 bits   Q in [-64, 63]
 *          '1110'   + 10 bits  Q in [-512, 511]
 *          '11110'  + 14 bits  Q in [-8192, 8191]
 *          '111110' + 24 bits  Q in [-2^23, 2^23 - 1]
 *          '111111' + 64 bits  any Q
 *   every m(i) must stay within |m(i)| &lt; 2^53
 * padding  0 to 7 zero bits    as in version 1
 * </pre>
 *
 * The encoder takes the smallest k at which every value passes a bit-exact check ({@code
 * doubleToRawLongBits((double) m / 10^k) == doubleToRawLongBits(v)} with m = v * 10^k rounded, or
 * one of its neighbours, as the product can be off by up to 2 near 2^53), so a wrong guess can only
 * cost compression, never change a value. -0.0, NaNs, infinities and computed values such as 0.1 +
 * 0.2 have no such k and keep their chunk in version 1. Both encodings are built and the shorter
 * one is written, version 1 on a tie.
 *
 * <h2>Choices</h2>
 *
 * <ul>
 *   <li><b>Timestamp buckets for milliseconds.</b> The paper's buckets (7, 9, 12 and 32 bits) are
 *       for seconds. Here D is a change of the scrape interval in milliseconds, i.e. jitter: 7 bits
 *       cover a few milliseconds of scheduling noise, 10 bits jitter up to about ±125 ms (D of
 *       jitter ±j spans ±4j), 18 bits about ±2 min (missed scrapes, interval changes, and the first
 *       delta of a chunk, which is taken against 0, for intervals up to 2 min). Per timestamp that
 *       is 1 bit for aligned scrapes, about 8 to 9 bits for ±2 to ±20 ms of jitter and about 11
 *       bits for ±50 ms. The last bucket carries 64 bits, so that any delta, up to the whole range
 *       of {@code long}, round-trips.
 *   <li><b>Window reuse.</b> The encoder writes '10' only when the current window holds X
 *       <em>and</em> costs no more bits than a new window would ({@code 64 - L - T <= m + 11}). The
 *       paper reuses whenever X fits, so a single outlier leaves a wide window that every later
 *       small change pays for; on a small-integer gauge with 5 % outliers this cuts the size from
 *       5.4 to 2.4 bytes per sample. Decoders need not know: the choice only changes which control
 *       bits appear.
 *   <li><b>Scaled decimals (version 2).</b> Gauges are mostly printed by exporters as decimal text
 *       (37.42) and parsed into doubles, whose mantissas are noise to XOR coding: 0.01 has no exact
 *       binary form, so two such values differ in about 45 low bits and cost 6.8 bytes a sample. As
 *       integers at their scale they differ by a few units. Deltas, not delta-of-deltas: a gauge's
 *       next change does not follow its last one, so a delta-of-delta is the difference of two
 *       independent changes and wider (0.4 to 2 bits a sample on random walks, noisy levels and
 *       memory in pages). The step takes out a common factor, such as the 4096 of memory counted in
 *       pages or the 125 of a temperature in 0.125 °C steps at 3 decimals. The buckets cover a few
 *       units of the last digit ('10'), noise at the printed resolution ('110', '1110'),
 *       millidegrees ('11110') and jumps ('111110'). The first value takes 64 bits like the first
 *       timestamp, which keeps it byte-for-byte simple; 54 would do.
 *   <li><b>Version 1 stays.</b> Full-precision values (ratios computed by rules, random doubles)
 *       have no decimal form and XOR coding suits them; chunks written as version 1 stay readable,
 *       as stored chunks are never rewritten.
 *   <li><b>No per-chunk end marker.</b> The count in the header ends decoding, so no sample pattern
 *       is reserved, and the decoder can check the count against the input length before decoding
 *       (every sample after the first takes at least 2 bits): a forged count fails at once instead
 *       of allocating or looping.
 * </ul>
 *
 * <h2>Sizes</h2>
 *
 * Measured by {@code ChunkCompressionTest#printsBytesPerSample}, for 120 samples every 10 s, header
 * included, in bytes per sample (raw storage would be 16), as version 1 alone and as the encoder
 * chooses:
 *
 * <table>
 *   <caption>Bytes per sample</caption>
 *   <tr><th>values</th><th>version 1 only</th><th>regular 10 s</th><th>±50 ms jitter</th>
 *       <th>format</th></tr>
 *   <tr><td>load average, random walk, 2 decimals</td><td>6.69</td><td>1.06</td><td>2.28</td>
 *       <td>2</td></tr>
 *   <tr><td>memory in bytes, whole 4096-byte pages</td><td>1.28</td><td>1.09</td><td>2.31</td>
 *       <td>2</td></tr>
 *   <tr><td>temperature, millidegrees / 1000, 0.125 °C steps</td><td>1.14</td><td>0.98</td>
 *       <td>2.20</td><td>2</td></tr>
 *   <tr><td>constant gauge</td><td>0.43</td><td>0.43</td><td>1.64</td><td>1</td></tr>
 *   <tr><td>process count, integer</td><td>0.66</td><td>0.62</td><td>1.84</td><td>2</td></tr>
 *   <tr><td>ratio of two counters, full precision</td><td>7.01</td><td>7.01</td><td>8.23</td>
 *       <td>1</td></tr>
 *   <tr><td>noisy random walk, 2 decimals</td><td>6.83</td><td>1.57</td><td>2.79</td>
 *       <td>2</td></tr>
 *   <tr><td>CPU ratio, random walk in [0, 1], 3 decimals</td><td>6.97</td><td>1.37</td>
 *       <td>2.59</td><td>2</td></tr>
 *   <tr><td>idle CPU ratio, 0.01 to 0.03</td><td>3.37</td><td>0.80</td><td>2.02</td>
 *       <td>2</td></tr>
 *   <tr><td>slowly varying, 1 decimal</td><td>1.46</td><td>0.53</td><td>1.76</td><td>2</td></tr>
 *   <tr><td>counter, +0 to 100 per sample</td><td>2.05</td><td>1.67</td><td>2.88</td>
 *       <td>2</td></tr>
 *   <tr><td>random doubles</td><td>7.50</td><td>7.50</td><td>8.72</td><td>1</td></tr>
 * </table>
 *
 * Timestamps alone cost 1.7 bits per sample on a regular 10 s grid (mostly the first one's 64 bits,
 * spread over the chunk) and 11.5 bits with ±50 ms jitter, which is then most of a chunk. A chunk
 * of 12 samples (2 minutes at 10 s) pays 16 bytes for its first sample, 1.3 bytes per sample by
 * itself.
 */
package io.vigil.connectors.chunks;
