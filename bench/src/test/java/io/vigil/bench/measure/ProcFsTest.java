package io.vigil.bench.measure;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProcFsTest {

    @Test
    void readsUserPlusSystemTicksAfterANameWithSpacesAndParentheses() {
        // A Flink task thread: the name holds spaces and a ')' of its own.
        String line =
                "4242 (Roll up (per) se) S 1 4242 4242 0 -1 4194560 1520 0 0 0 730 120 0 0 20 0"
                        + " 61 0 10873 4000000000 200000 18446744073709551615 1 1 0 0 0 0 0 4096"
                        + " 17922 0 0 0 17 1 0 0 0 0 0";

        ProcFs.Stat stat = ProcFs.parseStat(line);

        assertThat(stat.name()).isEqualTo("Roll up (per) se");
        assertThat(stat.ticks()).isEqualTo(730 + 120);
    }

    @Test
    void samplesTheRunningJvmWithItsThreads() {
        ProcFs.ProcessSample self = ProcFs.sample(ProcessHandle.current().pid()).orElseThrow();

        assertThat(self.threads()).isNotEmpty();
        assertThat(self.rssBytes()).isPositive();
        assertThat(ProcFs.machineBusyTicks()).isPositive();
    }

    @Test
    void knowsNoProcessThatDoesNotRun() {
        assertThat(ProcFs.sample(Long.MAX_VALUE)).isEmpty();
    }
}
