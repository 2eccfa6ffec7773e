package io.vigil.bench.measure;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class CpuSnapshotTest {

    @Test
    void groupsThreadsOfAPoolUnderOneName() {
        assertThat(CpuSnapshot.groupName("GC Thread#1")).isEqualTo("GC Thread#N");
        assertThat(CpuSnapshot.groupName("pool-3-thread-12")).isEqualTo("pool-N-thread-N");
        assertThat(CpuSnapshot.groupName("s0-io-3")).isEqualTo("s0-io-N");
        assertThat(CpuSnapshot.groupName("C2 CompilerThre")).isEqualTo("C2 CompilerThre");
    }

    @Test
    void countsTheCpuThisJvmUsesBetweenTwoSnapshots() {
        Map<String, Long> self = Map.of("me", ProcessHandle.current().pid());
        CpuSnapshot before = CpuSnapshot.take(self);
        long end = System.nanoTime() + 300_000_000L;
        double sink = 0;
        while (System.nanoTime() < end) {
            sink += Math.sqrt(sink + 1);
        }

        CpuSnapshot.CpuReport used = CpuSnapshot.take(self).since(before);

        assertThat(sink).isPositive();
        assertThat(used.process("me").orElseThrow().cpuSeconds()).isGreaterThan(0.1);
        assertThat(used.seconds()).isGreaterThanOrEqualTo(0.3);
        assertThat(used.machineBusySeconds()).isGreaterThanOrEqualTo(used.totalSeconds() - 0.05);
    }
}
