package io.vigil.jobs.rollup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Wraps a source so that its reader throws exactly once, on the first record it polls after a
 * checkpoint completed: a failure mid-stream, with state and offsets to recover from.
 *
 * <p>"Exactly once" across the restart is kept in marker files, which survive the restarted reader
 * (a fresh object) without static state: {@code checkpointed} appears when the first checkpoint
 * completes, {@code failed} when the failure was thrown.
 */
final class FailOnceSource<T, SplitT extends SourceSplit, EnumChkT>
        implements Source<T, SplitT, EnumChkT>, ResultTypeQueryable<T> {
    private static final long serialVersionUID = 1L;

    private final Source<T, SplitT, EnumChkT> delegate;
    private final String markers;

    FailOnceSource(Source<T, SplitT, EnumChkT> delegate, Path markers) {
        this.delegate = delegate;
        this.markers = markers.toString();
    }

    static Path checkpointedMarker(Path markers) {
        return markers.resolve("checkpointed");
    }

    static Path failedMarker(Path markers) {
        return markers.resolve("failed");
    }

    @Override
    public Boundedness getBoundedness() {
        return delegate.getBoundedness();
    }

    @Override
    public SplitEnumerator<SplitT, EnumChkT> createEnumerator(
            SplitEnumeratorContext<SplitT> context) throws Exception {
        return delegate.createEnumerator(context);
    }

    @Override
    public SplitEnumerator<SplitT, EnumChkT> restoreEnumerator(
            SplitEnumeratorContext<SplitT> context, EnumChkT checkpoint) throws Exception {
        return delegate.restoreEnumerator(context, checkpoint);
    }

    @Override
    public SimpleVersionedSerializer<SplitT> getSplitSerializer() {
        return delegate.getSplitSerializer();
    }

    @Override
    public SimpleVersionedSerializer<EnumChkT> getEnumeratorCheckpointSerializer() {
        return delegate.getEnumeratorCheckpointSerializer();
    }

    @Override
    public SourceReader<T, SplitT> createReader(SourceReaderContext context) throws Exception {
        return new FailOnceReader<>(delegate.createReader(context), Path.of(markers));
    }

    @Override
    @SuppressWarnings("unchecked")
    public TypeInformation<T> getProducedType() {
        return ((ResultTypeQueryable<T>) delegate).getProducedType();
    }

    private static final class FailOnceReader<T, SplitT extends SourceSplit>
            implements SourceReader<T, SplitT> {
        private final SourceReader<T, SplitT> delegate;
        private final Path markers;

        FailOnceReader(SourceReader<T, SplitT> delegate, Path markers) {
            this.delegate = delegate;
            this.markers = markers;
        }

        @Override
        public void start() {
            delegate.start();
        }

        @Override
        public InputStatus pollNext(ReaderOutput<T> output) throws Exception {
            InputStatus status = delegate.pollNext(output);
            if (status != InputStatus.NOTHING_AVAILABLE
                    && Files.exists(checkpointedMarker(markers))
                    && createOnce(failedMarker(markers))) {
                throw new IllegalStateException("injected failure after a completed checkpoint");
            }
            return status;
        }

        @Override
        public List<SplitT> snapshotState(long checkpointId) {
            return delegate.snapshotState(checkpointId);
        }

        @Override
        public CompletableFuture<Void> isAvailable() {
            return delegate.isAvailable();
        }

        @Override
        public void addSplits(List<SplitT> splits) {
            delegate.addSplits(splits);
        }

        @Override
        public void notifyNoMoreSplits() {
            delegate.notifyNoMoreSplits();
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) throws Exception {
            delegate.notifyCheckpointComplete(checkpointId);
            createOnce(checkpointedMarker(markers));
        }

        @Override
        public void close() throws Exception {
            delegate.close();
        }

        /** Atomically creates the marker; true only for the one caller that created it. */
        private static boolean createOnce(Path marker) {
            try {
                Files.createFile(marker);
                return true;
            } catch (FileAlreadyExistsException e) {
                return false;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
