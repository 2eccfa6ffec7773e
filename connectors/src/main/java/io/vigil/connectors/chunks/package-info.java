/**
 * Compressed chunks of raw samples, after Facebook's Gorilla (Pelkonen et al., VLDB 2015): the
 * encoding of the {@code samples_raw} table, whose rows hold a series' samples from {@code
 * chunk_start} on, with their count, min, max and these bytes. Plain Java, with no Flink or
 * Cassandra classes, so that a query service can decode chunks too.
 *
 * <p>{@link io.vigil.connectors.chunks.ChunkEncoder} writes a chunk; {@link
 * io.vigil.connectors.chunks.Chunk#decode} reads it whole and {@link
 * io.vigil.connectors.chunks.ChunkDecoder} streams it. Both round-trip every sample exactly: every
 * non-decreasing sequence of {@code long} timestamps, and every double bit for bit ({@code
 * doubleToRawLongBits}: NaN payloads, -0.0, infinities, subnormals). Bad bytes fail with {@link
 * io.vigil.connectors.chunks.ChunkFormatException} and nothing else.
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
 *   <li><b>No per-chunk end marker.</b> The count in the header ends decoding, so no sample pattern
 *       is reserved, and the decoder can check the count against the input length before decoding
 *       (every sample after the first takes at least 2 bits): a forged count fails at once instead
 *       of allocating or looping.
 * </ul>
 *
 * <h2>Sizes</h2>
 *
 * Measured by {@code ChunkCompressionTest#printsBytesPerSample}, for 120 samples every 10 s, header
 * included, in bytes per sample (raw storage would be 16):
 *
 * <table>
 *   <caption>Bytes per sample</caption>
 *   <tr><th>values</th><th>regular 10 s</th><th>±50 ms jitter</th></tr>
 *   <tr><td>constant gauge</td><td>0.43</td><td>1.64</td></tr>
 *   <tr><td>slowly varying, 1 decimal</td><td>1.46</td><td>2.68</td></tr>
 *   <tr><td>counter, +0 to 100 per sample</td><td>2.05</td><td>3.27</td></tr>
 *   <tr><td>idle CPU ratio, 0.01 to 0.03</td><td>3.37</td><td>4.58</td></tr>
 *   <tr><td>random walk rounded to 2 decimals</td><td>6.83</td><td>8.06</td></tr>
 *   <tr><td>CPU ratio, random walk in [0, 1], 3 decimals</td><td>6.97</td><td>8.18</td></tr>
 *   <tr><td>random doubles</td><td>7.50</td><td>8.72</td></tr>
 * </table>
 *
 * Timestamps alone cost 1.7 bits per sample on a regular 10 s grid (mostly the first one's 64 bits,
 * spread over the chunk) and 11.5 bits with ±50 ms jitter. Values that change at every scrape and
 * are rounded to decimals are the weak spot of XOR encoding: 0.01 has no exact binary form, so such
 * values differ in almost all their low mantissa bits.
 */
package io.vigil.connectors.chunks;
