package ai.appliance.runtime.gguf;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.function.LongConsumer;

/**
 * Where a tensor's bytes go while a {@link GgufWriter} writes: a large little-endian buffer in
 * front of the file channel, so producers can put values one by one at memory speed.
 */
public final class TensorSink {
    private static final int BUFFER_BYTES = 8 << 20;

    private final FileChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    /** The whole buffer as a segment (ofBuffer of the live buffer would start at its current position). */
    private final MemorySegment bufferSegment = MemorySegment.ofBuffer(buffer.duplicate().clear());
    private final LongConsumer progress;
    private long written;

    TensorSink(FileChannel channel, LongConsumer progress) {
        this.channel = channel;
        this.progress = progress;
    }

    /** The buffer, with at least {@code bytes} (at most 1 MiB) free; put values into it directly. */
    public ByteBuffer reserve(int bytes) throws IOException {
        if (bytes > BUFFER_BYTES / 8) throw new IllegalArgumentException("reserve at most " + BUFFER_BYTES / 8 + " bytes at a time");
        if (buffer.remaining() < bytes) flush();
        return buffer;
    }

    /** Copies bytes from a segment (e.g. a mapped tensor) to the file. */
    public void put(MemorySegment bytes) throws IOException {
        long offset = 0;
        while (offset < bytes.byteSize()) {
            if (!buffer.hasRemaining()) flush();
            int n = (int) Math.min(buffer.remaining(), bytes.byteSize() - offset);
            bufferSegment.asSlice(buffer.position(), n).copyFrom(bytes.asSlice(offset, n));
            buffer.position(buffer.position() + n);
            offset += n;
        }
    }

    /** Bytes handed to this sink so far, including those still buffered. */
    long bytesWritten() {
        return written + buffer.position();
    }

    void flush() throws IOException {
        int n = buffer.position();
        buffer.flip();
        while (buffer.hasRemaining()) channel.write(buffer);
        buffer.clear();
        written += n;
        progress.accept(written);
    }
}
