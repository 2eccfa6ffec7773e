package io.vigil.bench.measure;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class PercentilesTest {

    @Test
    void usesTheNearestRank() {
        Percentiles oneToHundred = new Percentiles(LongStream.rangeClosed(1, 100).boxed().toList());

        assertThat(oneToHundred.at(50)).hasValue(50);
        assertThat(oneToHundred.at(99)).hasValue(99);
        assertThat(oneToHundred.at(100)).hasValue(100);
        assertThat(oneToHundred.max()).hasValue(100);
    }

    @Test
    void ofOneValueIsThatValue() {
        assertThat(new Percentiles(List.of(7)).at(1)).hasValue(7);
        assertThat(new Percentiles(List.of()).at(50)).isEmpty();
    }
}
