package io.vigil.jobs.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.schemas.MetricSample;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.flink.api.common.serialization.BulkWriter;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArchiveFilesTest {
    private static final long T0 = 1_795_600_000_000L;

    @TempDir Path folder;

    @Test
    void writesDeflateCompressedAvroContainerFilesThatReadBackUnchanged() throws IOException {
        List<MetricSample> samples = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            samples.add(
                    new MetricSample(
                            "node_load1",
                            Map.of("host", "host-" + (i % 10), "dc", "fra1"),
                            i * 0.5,
                            T0 + i * 10_000L));
        }
        File file = folder.resolve("part-0.avro").toFile();

        org.apache.flink.core.fs.Path path = new org.apache.flink.core.fs.Path(file.toURI());
        try (FSDataOutputStream out =
                FileSystem.getLocalFileSystem().create(path, FileSystem.WriteMode.NO_OVERWRITE)) {
            BulkWriter<MetricSample> writer = ArchiveFiles.writerFactory(6).create(out);
            for (MetricSample sample : samples) {
                writer.addElement(sample);
            }
            writer.finish();
        }

        List<MetricSample> read = new ArrayList<>();
        try (DataFileReader<MetricSample> reader =
                new DataFileReader<>(file, new SpecificDatumReader<>(MetricSample.class))) {
            assertThat(reader.getMetaString("avro.codec")).isEqualTo("deflate");
            assertThat(reader.getSchema()).isEqualTo(MetricSample.getClassSchema());
            reader.forEach(read::add);
        }
        assertThat(read).isEqualTo(samples);
        // Repetitive labels and names compress well; a sanity check that deflate is at work.
        assertThat(file.length()).isLessThan(samples.size() * 10L);
    }

    @Test
    void checksItsSettings() {
        assertThatThrownBy(() -> ArchiveFiles.writerFactory(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1 to 9");
        assertThatThrownBy(() -> ArchiveFiles.samplesSink("archive", 6))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("absolute");
        assertThat(ArchiveFiles.samplesSink(folder.toUri().toString(), 6)).isNotNull();
    }
}
