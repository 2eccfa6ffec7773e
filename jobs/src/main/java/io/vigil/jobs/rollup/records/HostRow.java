package io.vigil.jobs.rollup.records;

/**
 * What the inventory knows of a host: a row of {@code hosts}, and with its place and {@code
 * last_seen} a row of {@code hosts_by_place}. Also the job's keyed state per host, so the state is
 * exactly the last row written.
 *
 * @param host the host's name
 * @param dc its data centre
 * @param cluster its cluster
 * @param rack its rack
 * @param firstSeen start of the first window it reported in, ms since the epoch
 * @param placedSince start of the first window it reported in from this place, ms
 * @param lastSeen its latest sample known when the row was written, ms; precise to the write
 *     interval
 * @param version the write timestamp of the row's {@code hosts_by_place} cells, microseconds: from
 *     event time, and strictly increasing per host, so a later row always wins over an earlier one,
 *     whatever order the writes reach Cassandra in
 */
public record HostRow(
        String host,
        String dc,
        String cluster,
        String rack,
        long firstSeen,
        long placedSince,
        long lastSeen,
        long version) {}
