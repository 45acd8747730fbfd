package ai.appliance.runtime.gguf;

import ai.appliance.runtime.model.ModelFormatException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Reads little-endian values sequentially from a segment, checking every read against the end so
 * that a truncated or corrupt file fails with a {@link ModelFormatException}, never an out-of-bounds error.
 */
final class SegmentCursor {
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Chat templates, the longest strings in real files, are kilobytes; 16 MiB is corruption. */
    static final long MAX_STRING_BYTES = 16L << 20;

    private final MemorySegment segment;
    private final Path file;
    private long position;

    SegmentCursor(MemorySegment segment, Path file, long position) {
        this.segment = segment;
        this.file = file;
        this.position = position;
    }

    long position() {
        return position;
    }

    long remaining() {
        return segment.byteSize() - position;
    }

    Path file() {
        return file;
    }

    /** Fails unless {@code bytes} more bytes exist; callers check counts this way before allocating. */
    void require(long bytes, String what) {
        if (bytes < 0 || bytes > remaining()) {
            throw new ModelFormatException(file, "truncated or corrupt: " + what + " at byte " + position
                    + " needs " + Long.toUnsignedString(bytes) + " bytes but only " + remaining() + " remain");
        }
    }

    int u8(String what) {
        require(1, what);
        return segment.get(ValueLayout.JAVA_BYTE, position++) & 0xFF;
    }

    byte i8(String what) {
        require(1, what);
        return segment.get(ValueLayout.JAVA_BYTE, position++);
    }

    short i16(String what) {
        require(2, what);
        var v = segment.get(I16, position);
        position += 2;
        return v;
    }

    int i32(String what) {
        require(4, what);
        var v = segment.get(I32, position);
        position += 4;
        return v;
    }

    long i64(String what) {
        require(8, what);
        var v = segment.get(I64, position);
        position += 8;
        return v;
    }

    float f32(String what) {
        require(4, what);
        var v = segment.get(F32, position);
        position += 4;
        return v;
    }

    double f64(String what) {
        require(8, what);
        var v = segment.get(F64, position);
        position += 8;
        return v;
    }

    /** A GGUF string: u64 length then UTF-8 bytes (malformed sequences become U+FFFD). */
    String string(String what) {
        long length = i64(what + " length");
        require(length, what);
        if (length > MAX_STRING_BYTES) {
            throw new ModelFormatException(file, what + " at byte " + position + " claims " + length
                    + " bytes, more than the " + MAX_STRING_BYTES + " any model string has: corrupt header");
        }
        var bytes = segment.asSlice(position, length).toArray(ValueLayout.JAVA_BYTE);
        position += length;
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Copies {@code count} little-endian values into a Java array; the caller checked the bytes exist. */
    float[] f32Array(int count) {
        var out = new float[count];
        MemorySegment.copy(segment, F32, position, out, 0, count);
        position += 4L * count;
        return out;
    }

    int[] i32Array(int count) {
        var out = new int[count];
        MemorySegment.copy(segment, I32, position, out, 0, count);
        position += 4L * count;
        return out;
    }

    long[] i64Array(int count) {
        var out = new long[count];
        MemorySegment.copy(segment, I64, position, out, 0, count);
        position += 8L * count;
        return out;
    }

    double[] f64Array(int count) {
        var out = new double[count];
        MemorySegment.copy(segment, F64, position, out, 0, count);
        position += 8L * count;
        return out;
    }
}
