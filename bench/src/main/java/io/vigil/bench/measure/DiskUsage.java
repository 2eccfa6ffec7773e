package io.vigil.bench.measure;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.function.Predicate;

/** Sizes of the files that stores keep on disk. */
public final class DiskUsage {
    private DiskUsage() {}

    /**
     * The summed length of the regular files under {@code root} that {@code include} accepts (0 if
     * {@code root} does not exist). Files that disappear while walking (compaction, segment
     * deletion) are skipped.
     */
    public static long bytes(Path root, Predicate<Path> include) {
        if (!Files.exists(root)) {
            return 0;
        }
        long[] total = {0};
        try {
            Files.walkFileTree(
                    root,
                    new SimpleFileVisitor<>() {
                        @Override
                        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                            if (attrs.isRegularFile() && include.test(file)) {
                                total[0] += attrs.size();
                            }
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFileFailed(Path file, IOException e)
                                throws IOException {
                            if (e instanceof NoSuchFileException) {
                                return FileVisitResult.CONTINUE;
                            }
                            throw e;
                        }
                    });
        } catch (IOException e) {
            throw new UncheckedIOException(String.format("Cannot measure %s", root), e);
        }
        return total[0];
    }
}
