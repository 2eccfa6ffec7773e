package io.vigil.connectors.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

class TableRetentionTest {

    @Test
    void sizesCompactionWindowsSoThatTheRetainedDataSpansAtMostThirty() {
        assertThat(TableRetention.windowDays(Duration.ofHours(6))).isEqualTo(1);
        assertThat(TableRetention.windowDays(Duration.ofDays(30))).isEqualTo(1);
        assertThat(TableRetention.windowDays(Duration.ofDays(31))).isEqualTo(2);
        assertThat(TableRetention.windowDays(Duration.ofDays(400))).isEqualTo(14);
        assertThat(TableRetention.windowDays(Duration.ofDays(3650))).isEqualTo(122);
        for (int days = 1; days <= 7300; days++) {
            int window = TableRetention.windowDays(Duration.ofDays(days));
            assertThat((days + window - 1) / window)
                    .as("windows for %d days", days)
                    .isLessThanOrEqualTo(TableRetention.MAX_WINDOWS);
        }
    }

    @Test
    void refusesPeriodsCassandraCannotStore() {
        assertThatThrownBy(
                        () ->
                                TableRetention.of(
                                        "vigil", Map.of("samples_raw", Duration.ofMillis(500))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("samples_raw");
        assertThatThrownBy(
                        () ->
                                TableRetention.of(
                                        "vigil", Map.of("rollups_1h", Duration.ofDays(365 * 21))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("20 years");
    }

    @Test
    void readsTheRetentionOptions() {
        Configuration config = new Configuration();
        config.set(TableRetention.ROLLUPS_1H, Duration.ofDays(730));

        assertThat(TableRetention.fromConfig(config))
                .extracting("ttlByTable")
                .isEqualTo(
                        Map.of(
                                "samples_raw", Duration.ofDays(30),
                                "rollups_1m", Duration.ofDays(30),
                                "group_rollups", Duration.ofDays(30),
                                "rollups_1h", Duration.ofDays(730)));
    }
}
