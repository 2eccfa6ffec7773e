package io.vigil.bench.measure;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JfrProfileTest {

    @Test
    void namesLibrariesBySeveralPackageSegments() {
        assertThat(JfrProfile.library("org.rocksdb.RocksDB")).isEqualTo("org.rocksdb");
        assertThat(JfrProfile.library("org.apache.avro.io.BinaryDecoder"))
                .isEqualTo("org.apache.avro");
        assertThat(JfrProfile.library("org.apache.flink.runtime.io.network.Foo"))
                .isEqualTo("org.apache.flink.runtime");
        assertThat(JfrProfile.library("com.datastax.oss.driver.Session"))
                .isEqualTo("com.datastax.oss");
        assertThat(JfrProfile.library("Main")).isEqualTo("");
    }
}
