package ai.appliance.runtime.gguf;

import ai.appliance.runtime.tensor.GgmlType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * Writes a GGUF v3 file: metadata, tensor infos, then each tensor's data at an aligned offset,
 * streamed from a {@link Content} producer so that multi-gigabyte files never sit in memory.
 * The file appears under its final name only when complete (written to a temporary sibling, then moved).
 *
 * <p>Metadata values use the Java types documented on {@link GgufFile}, so entries read from one
 * file can be written to another unchanged.
 */
public final class GgufWriter {
    /** Produces exactly the declared number of bytes of one tensor. */
    @FunctionalInterface
    public interface Content {
        void writeTo(TensorSink sink) throws IOException;
    }

    /** A tensor as planned: its header entry and the producer of its bytes. */
    public record PlannedTensor(String name, GgmlType type, long[] shape, long size, Content content) {
    }

    private final Map<String, GgufMetadataEntry> metadata = new LinkedHashMap<>();
    private final List<PlannedTensor> tensors = new ArrayList<>();
    private int alignment = GgufFile.DEFAULT_ALIGNMENT;

    public GgufWriter put(GgufMetadataEntry entry) {
        if (entry.key().equals("general.alignment")) alignment = ((Number) entry.value()).intValue();
        metadata.put(entry.key(), entry);
        return this;
    }

    public GgufWriter putString(String key, String value) {
        return put(new GgufMetadataEntry(key, GgufValueType.STRING, null, value));
    }

    public GgufWriter putUInt32(String key, long value) {
        return put(new GgufMetadataEntry(key, GgufValueType.UINT32, null, value));
    }

    public GgufWriter putFloat32(String key, float value) {
        return put(new GgufMetadataEntry(key, GgufValueType.FLOAT32, null, value));
    }

    public GgufWriter putBool(String key, boolean value) {
        return put(new GgufMetadataEntry(key, GgufValueType.BOOL, null, value));
    }

    public GgufWriter putStrings(String key, List<String> values) {
        return put(new GgufMetadataEntry(key, GgufValueType.ARRAY, GgufValueType.STRING, List.copyOf(values)));
    }

    public GgufWriter putInt32s(String key, int[] values) {
        return put(new GgufMetadataEntry(key, GgufValueType.ARRAY, GgufValueType.INT32, values.clone()));
    }

    public GgufWriter putFloat32s(String key, float[] values) {
        return put(new GgufMetadataEntry(key, GgufValueType.ARRAY, GgufValueType.FLOAT32, values.clone()));
    }

    public boolean has(String key) {
        return metadata.containsKey(key);
    }

    /** The metadata planned so far, in write order. */
    public List<GgufMetadataEntry> metadata() {
        return List.copyOf(metadata.values());
    }

    /** The tensors planned so far, in write order. */
    public List<PlannedTensor> tensors() {
        return List.copyOf(tensors);
    }

    /**
     * Adds a tensor.
     *
     * @param shape outermost dimension first (as {@link ai.appliance.runtime.tensor.Tensor}); written innermost first
     */
    public GgufWriter addTensor(String name, GgmlType type, long[] shape, Content content) {
        if (!type.inGguf()) throw new IllegalArgumentException("tensor '" + name + "': GGUF has no type " + type);
        long elements = 1;
        for (long d : shape) elements = Math.multiplyExact(elements, d);
        tensors.add(new PlannedTensor(name, type, shape.clone(), type.bytesFor(elements), content));
        return this;
    }

    /** Bytes of all tensor data (without padding), for progress reporting. */
    public long tensorBytes() {
        return tensors.stream().mapToLong(PlannedTensor::size).sum();
    }

    /**
     * Writes the file.
     *
     * @param progress receives the number of tensor-data bytes written so far
     */
    public void write(Path out, LongConsumer progress) throws IOException {
        if (Files.isDirectory(out)) throw new IOException("it is a folder; give a file name");
        var header = header();
        var parent = out.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        // Not Files.createTempFile: its owner-only permissions would stick to the finished model file.
        var temporary = (parent == null ? Path.of(".") : parent)
                .resolve("." + out.getFileName() + "." + Long.toHexString(System.nanoTime()) + ".partial");
        try {
            try (var channel = FileChannel.open(temporary, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW)) {
                header.flip();
                while (header.hasRemaining()) channel.write(header);
                var sink = new TensorSink(channel, progress);
                long dataStart = channel.position();
                for (var t : tensors) {
                    long start = sink.bytesWritten();
                    t.content().writeTo(sink);
                    long produced = sink.bytesWritten() - start;
                    if (produced != t.size()) {
                        throw new IllegalStateException("tensor '" + t.name() + "' produced " + produced + " bytes, declared " + t.size());
                    }
                    var pad = sink.reserve(alignment);
                    for (long p = padding(produced); p > 0; p--) pad.put((byte) 0);
                }
                sink.flush();
                if (channel.position() != dataStart + sink.bytesWritten()) throw new IllegalStateException("short write");
            }
            Files.move(temporary, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    private long padding(long size) {
        return GgufFile.alignUp(size, alignment) - size;
    }

    private ByteBuffer header() {
        var out = new GrowableBuffer();
        out.i32(GgufFile.MAGIC).i32(3).i64(tensors.size()).i64(metadata.size());
        for (var e : metadata.values()) {
            out.string(e.key()).i32(e.type().id());
            if (e.type() == GgufValueType.ARRAY) {
                out.i32(e.elementType().id());
                writeArray(out, e.elementType(), e.value(), e.key());
            } else {
                writeScalar(out, e.type(), e.value(), e.key());
            }
        }
        long offset = 0;
        for (var t : tensors) {
            out.string(t.name()).i32(t.shape().length);
            for (int d = t.shape().length - 1; d >= 0; d--) out.i64(t.shape()[d]);
            out.i32(t.type().id()).i64(offset);
            offset += t.size() + padding(t.size());
        }
        while (out.buffer.position() % alignment != 0) out.u8(0);
        return out.buffer;
    }

    private static void writeScalar(GrowableBuffer out, GgufValueType type, Object value, String key) {
        switch (type) {
            case UINT8, INT8 -> out.u8(((Number) value).intValue());
            case UINT16, INT16 -> out.i16(((Number) value).intValue());
            case UINT32, INT32 -> out.i32((int) ((Number) value).longValue());
            case UINT64, INT64 -> out.i64(((Number) value).longValue());
            case FLOAT32 -> out.i32(Float.floatToRawIntBits(((Number) value).floatValue()));
            case FLOAT64 -> out.i64(Double.doubleToRawLongBits(((Number) value).doubleValue()));
            case BOOL -> out.u8((Boolean) value ? 1 : 0);
            case STRING -> out.string((String) value);
            case ARRAY -> throw new IllegalArgumentException("metadata '" + key + "': nested array needs its element type");
        }
    }

    private static void writeArray(GrowableBuffer out, GgufValueType elementType, Object value, String key) {
        switch (value) {
            case int[] a -> {
                out.i64(a.length);
                for (int v : a) writeScalar(out, elementType, v, key);
            }
            case long[] a -> {
                out.i64(a.length);
                for (long v : a) writeScalar(out, elementType, v, key);
            }
            case float[] a -> {
                out.i64(a.length);
                for (float v : a) writeScalar(out, elementType, v, key);
            }
            case double[] a -> {
                out.i64(a.length);
                for (double v : a) writeScalar(out, elementType, v, key);
            }
            case boolean[] a -> {
                out.i64(a.length);
                for (boolean v : a) writeScalar(out, elementType, v, key);
            }
            case List<?> list -> {
                out.i64(list.size());
                for (var v : list) {
                    if (elementType == GgufValueType.ARRAY) {
                        var inner = elementTypeOf(v, key);
                        out.i32(inner.id());
                        writeArray(out, inner, v, key);
                    } else {
                        writeScalar(out, elementType, v, key);
                    }
                }
            }
            default -> throw new IllegalArgumentException("metadata '" + key + "': cannot write " + value.getClass() + " as an array");
        }
    }

    /** For nested arrays, whose inner element types the Java mapping does not keep: the natural type of each. */
    private static GgufValueType elementTypeOf(Object array, String key) {
        return switch (array) {
            case int[] a -> GgufValueType.INT32;
            case long[] a -> GgufValueType.INT64;
            case float[] a -> GgufValueType.FLOAT32;
            case double[] a -> GgufValueType.FLOAT64;
            case boolean[] a -> GgufValueType.BOOL;
            case List<?> l when !l.isEmpty() && l.getFirst() instanceof String -> GgufValueType.STRING;
            case List<?> l -> GgufValueType.ARRAY;
            default -> throw new IllegalArgumentException("metadata '" + key + "': cannot write nested " + array.getClass());
        };
    }

    /** A little-endian byte buffer that grows as the header is assembled. */
    private static final class GrowableBuffer {
        ByteBuffer buffer = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);

        private void ensure(int n) {
            if (buffer.remaining() >= n) return;
            var bigger = ByteBuffer.allocate(Math.max(buffer.capacity() * 2, buffer.position() + n)).order(ByteOrder.LITTLE_ENDIAN);
            buffer.flip();
            bigger.put(buffer);
            buffer = bigger;
        }

        GrowableBuffer u8(int v) {
            ensure(1);
            buffer.put((byte) v);
            return this;
        }

        GrowableBuffer i16(int v) {
            ensure(2);
            buffer.putShort((short) v);
            return this;
        }

        GrowableBuffer i32(int v) {
            ensure(4);
            buffer.putInt(v);
            return this;
        }

        GrowableBuffer i64(long v) {
            ensure(8);
            buffer.putLong(v);
            return this;
        }

        GrowableBuffer string(String s) {
            var bytes = s.getBytes(StandardCharsets.UTF_8);
            i64(bytes.length);
            ensure(bytes.length);
            buffer.put(bytes);
            return this;
        }
    }
}
