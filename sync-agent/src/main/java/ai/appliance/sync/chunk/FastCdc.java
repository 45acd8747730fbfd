package ai.appliance.sync.chunk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/**
 * FastCDC gear-hash content-defined chunker with cut-point skipping and no normalisation, exactly as specified
 * in docs/formats.md §3, so boundaries are reproducible by any implementation of that text. A cut depends only
 * on the 64 bytes before it, so after an edit the chunking falls back in step at the first candidate that is
 * at least {@code min} past the edit (normalised chunking, measured, resynchronises several chunks later).
 */
public final class FastCdc {
    private static final long[] GEAR = gearTable();

    private final ChunkingParams params;
    private final long mask;

    public FastCdc(ChunkingParams params) {
        this.params = params;
        int bits = Integer.numberOfTrailingZeros(params.avg());
        this.mask = topBits(bits);
    }

    public ChunkingParams params() {
        return params;
    }

    /** Receives each chunk; the bytes are only valid during the call. */
    @FunctionalInterface
    public interface ChunkHandler {
        void chunk(byte[] buffer, int offset, int length) throws IOException;
    }

    /** Splits the whole channel into chunks, calling {@code handler} for each in order. */
    public void split(ReadableByteChannel in, ChunkHandler handler) throws IOException {
        var buf = new byte[params().max() * 2];
        var bb = ByteBuffer.wrap(buf);
        int start = 0;
        int end = 0;
        boolean eof = false;
        while (true) {
            // Keep at least one max-size chunk in the buffer unless the input is exhausted.
            if (!eof && end - start < params.max()) {
                if (start > 0) {
                    System.arraycopy(buf, start, buf, 0, end - start);
                    end -= start;
                    start = 0;
                }
                bb.limit(buf.length).position(end);
                while (bb.hasRemaining()) {
                    int n = in.read(bb);
                    if (n < 0) {
                        eof = true;
                        break;
                    }
                }
                end = bb.position();
            }
            if (start == end) return;
            int len = cut(buf, start, end - start);
            handler.chunk(buf, start, len);
            start += len;
        }
    }

    /** Length of the next chunk starting at {@code off}, given {@code available} bytes. */
    public int cut(byte[] buf, int off, int available) {
        int min = params.min();
        if (available <= min) return available;
        int n = Math.min(available, params.max());
        long h = 0;
        // Warm the hash over the 64 bytes before min so the first candidate depends on content only.
        for (int i = min - 64; i < min; i++) h = (h << 1) + GEAR[buf[off + i] & 0xff];
        for (int i = min; i < n; i++) {
            h = (h << 1) + GEAR[buf[off + i] & 0xff];
            if ((h & mask) == 0) return i + 1;
        }
        return n;
    }

    private static long topBits(int k) {
        return -1L << (64 - k);
    }

    /** SplitMix64 from the documented seed ("app1ance"). */
    private static long[] gearTable() {
        var table = new long[256];
        long state = 0x61707031616e6365L;
        for (int i = 0; i < 256; i++) {
            state += 0x9e3779b97f4a7c15L;
            long z = state;
            z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
            z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
            table[i] = z ^ (z >>> 31);
        }
        return table;
    }
}
