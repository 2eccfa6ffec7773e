package io.vigil.connectors.chunks;

/**
 * Thrown when bytes handed to {@link ChunkDecoder} or {@link Chunk#decode(byte[])} are not a valid
 * chunk: truncated, corrupted, padded with garbage, or written in a format version this code does
 * not know.
 *
 * <p>Unchecked, because a corrupt chunk is a data problem the caller can only report or skip, and
 * the decoder guarantees that no other exception type (no {@code ArrayIndexOutOfBoundsException},
 * no {@code OutOfMemoryError} from a forged sample count) escapes for bad input.
 */
public final class ChunkFormatException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ChunkFormatException(String message) {
        super(message);
    }
}
