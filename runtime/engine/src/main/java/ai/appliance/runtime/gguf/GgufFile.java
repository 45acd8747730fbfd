package ai.appliance.runtime.gguf;

import ai.appliance.runtime.model.ModelFormatException;
import ai.appliance.runtime.tensor.GgmlType;
import ai.appliance.runtime.tensor.MappedPages;
import ai.appliance.runtime.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A GGUF file (version 2 or 3, little-endian), memory-mapped: tensors are slices of the mapping,
 * never copied. Closing unmaps the file; tensors must not be used afterwards. The mapping is
 * shared, so tensors may be read from any thread.
 *
 * <h2>Metadata as Java values</h2>
 * {@link #metadata()} maps every key, in file order, to:
 * <ul>
 *   <li>UINT8, INT8, UINT16, INT16, INT32 → {@link Integer} (unsigned types zero-extended)</li>
 *   <li>UINT32, INT64, UINT64 → {@link Long} (UINT32 zero-extended; UINT64 keeps its bits, so values
 *       above {@code Long.MAX_VALUE} read negative)</li>
 *   <li>FLOAT32 → {@link Float}, FLOAT64 → {@link Double}, BOOL → {@link Boolean}, STRING → {@link String}</li>
 *   <li>ARRAY of UINT8, INT8, UINT16, INT16, INT32 → {@code int[]}; of UINT32, INT64, UINT64 → {@code long[]};
 *       of FLOAT32 → {@code float[]}; of FLOAT64 → {@code double[]}; of BOOL → {@code boolean[]};
 *       of STRING → {@code List<String>}; of ARRAY → {@code List<Object>} whose elements follow these
 *       same rules.</li>
 * </ul>
 * So {@code tokenizer.ggml.tokens} and {@code .merges} are {@code List<String>}, {@code .token_type}
 * is {@code int[]} and {@code .scores} is {@code float[]}. Arrays returned are the reader's own: do not modify.
 * The typed accessors ({@link #getInt}, {@link #getString}, ...) accept any integer type where an
 * integer is asked for and fail with a {@link ModelFormatException} naming the key otherwise.
 */
public final class GgufFile implements AutoCloseable {
    /** "GGUF" read as a little-endian u32. */
    static final int MAGIC = 0x46554747;
    public static final int DEFAULT_ALIGNMENT = 32;
    /** ggml's GGML_MAX_DIMS. */
    static final int MAX_DIMENSIONS = 4;
    /** Deeper nesting than this is corruption, not a model (and would exhaust the stack). */
    private static final int MAX_ARRAY_DEPTH = 8;
    /**
     * Plausibility limits far above any real model (vocabularies hold ~10^5 entries, files ~10^3
     * tensors): a corrupt count inside a multi-gigabyte file could otherwise pass the "fits in the
     * bytes that follow" check and make the reader allocate gigabytes.
     */
    static final long MAX_ARRAY_LENGTH = 1L << 24;
    static final long MAX_METADATA_COUNT = 1L << 20;
    static final long MAX_TENSOR_COUNT = 1L << 20;

    private final Path path;
    private final Arena arena;
    private final MemorySegment mapping;
    private final int version;
    private final int alignment;
    private final long dataOffset;
    private final Map<String, GgufMetadataEntry> entries;
    private final Map<String, Object> metadata;
    private final Map<String, GgufTensorInfo> tensorInfos;
    private final Map<String, Tensor> tensors;

    private GgufFile(Path path, Arena arena, MemorySegment mapping, int version, int alignment, long dataOffset,
                     Map<String, GgufMetadataEntry> entries, Map<String, GgufTensorInfo> tensorInfos) {
        this.path = path;
        this.arena = arena;
        this.mapping = mapping;
        this.version = version;
        this.alignment = alignment;
        this.dataOffset = dataOffset;
        this.entries = Collections.unmodifiableMap(entries);
        var values = new LinkedHashMap<String, Object>();
        entries.forEach((k, e) -> values.put(k, e.value()));
        this.metadata = Collections.unmodifiableMap(values);
        this.tensorInfos = Collections.unmodifiableMap(tensorInfos);
        var views = new LinkedHashMap<String, Tensor>();
        tensorInfos.forEach((name, info) -> views.put(name,
                new Tensor(name, info.type(), info.shape().clone(), mapping.asSlice(dataOffset + info.offset(), info.size()))));
        this.tensors = Collections.unmodifiableMap(views);
    }

    /**
     * Maps and parses a GGUF file.
     *
     * @throws ModelFormatException when the file is missing, unreadable, not GGUF, truncated or inconsistent
     */
    public static GgufFile open(Path path) {
        if (!Files.isRegularFile(path)) {
            throw new ModelFormatException(path, Files.exists(path) ? "not a regular file" : "file not found");
        }
        var arena = Arena.ofShared();
        try {
            MemorySegment mapping;
            try (var channel = FileChannel.open(path, StandardOpenOption.READ)) {
                long size = channel.size();
                mapping = size == 0 ? MemorySegment.ofArray(new byte[0]) : channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            }
            MappedPages.adviseHugePages(mapping);
            return parse(path, arena, mapping);
        } catch (NoSuchFileException e) {
            arena.close();
            throw new ModelFormatException(path, "file not found", e);
        } catch (IOException e) {
            arena.close();
            throw new ModelFormatException(path, "cannot read: " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /**
     * Parses GGUF bytes already in memory, e.g. a model decrypted from rest (provisioning's EncryptedModelFile).
     * The GGUF file owns {@code arena} from then on and closes it (freeing the bytes) on {@link #close()}.
     *
     * @param path the file the bytes came from, named in error messages
     */
    public static GgufFile fromMemory(Path path, Arena arena, MemorySegment contents) {
        try {
            return parse(path, arena, contents);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    private static GgufFile parse(Path path, Arena arena, MemorySegment mapping) {
        var in = new SegmentCursor(mapping, path, 0);
        if (mapping.byteSize() < 4) {
            throw new ModelFormatException(path, "not a GGUF file: only " + mapping.byteSize() + " bytes");
        }
        int magic = in.i32("magic");
        if (magic != MAGIC) {
            throw new ModelFormatException(path, "not a GGUF file: magic is 0x" + Integer.toHexString(magic));
        }
        int version = in.i32("version");
        if (version == 1) {
            throw new ModelFormatException(path, "GGUF version 1 is not supported (re-convert with a current llama.cpp)");
        }
        if (version != 2 && version != 3) {
            boolean swapped = Integer.reverseBytes(version) == 2 || Integer.reverseBytes(version) == 3;
            throw new ModelFormatException(path, swapped ? "big-endian GGUF is not supported"
                    : "unsupported GGUF version " + Integer.toUnsignedString(version));
        }
        long tensorCount = in.i64("tensor count");
        long kvCount = in.i64("metadata count");
        // Bound counts by the bytes that must follow before allocating anything for them.
        if (kvCount < 0 || kvCount > MAX_METADATA_COUNT || kvCount > in.remaining() / (8 + 4 + 1)) {
            throw new ModelFormatException(path, "corrupt header: metadata count " + Long.toUnsignedString(kvCount)
                    + " cannot fit in the " + in.remaining() + " bytes that follow");
        }
        var entries = new LinkedHashMap<String, GgufMetadataEntry>();
        for (long i = 0; i < kvCount; i++) {
            var key = in.string("metadata key #" + i);
            int typeId = in.i32("type of metadata '" + key + "'");
            var type = valueType(in, typeId, key);
            GgufValueType elementType = null;
            Object value;
            if (type == GgufValueType.ARRAY) {
                int elementId = in.i32("element type of metadata '" + key + "'");
                elementType = valueType(in, elementId, key);
                value = readArray(in, elementType, key, 1);
            } else {
                value = readScalar(in, type, key);
            }
            if (entries.putIfAbsent(key, new GgufMetadataEntry(key, type, elementType, value)) != null) {
                throw new ModelFormatException(path, "metadata key '" + key + "' appears twice");
            }
        }
        int alignment = DEFAULT_ALIGNMENT;
        var alignmentEntry = entries.get("general.alignment");
        if (alignmentEntry != null) {
            if (!(alignmentEntry.value() instanceof Number n) || !alignmentEntry.type().isInteger()) {
                throw new ModelFormatException(path, "general.alignment is not an integer");
            }
            long a = n.longValue();
            if (a <= 0 || a > (1 << 20) || Long.bitCount(a) != 1) {
                throw new ModelFormatException(path, "general.alignment " + a + " is not a power of two up to 1 MiB");
            }
            alignment = (int) a;
        }
        // Each tensor info takes at least: name length 8, dims count 4, one dim 8, type 4, offset 8.
        if (tensorCount < 0 || tensorCount > MAX_TENSOR_COUNT || tensorCount > in.remaining() / (8 + 4 + 8 + 4 + 8)) {
            throw new ModelFormatException(path, "corrupt header: tensor count " + Long.toUnsignedString(tensorCount)
                    + " cannot fit in the " + in.remaining() + " bytes that follow");
        }
        var infos = new LinkedHashMap<String, GgufTensorInfo>();
        for (long i = 0; i < tensorCount; i++) {
            var info = readTensorInfo(in, i, alignment);
            if (infos.putIfAbsent(info.name(), info) != null) {
                throw new ModelFormatException(path, "tensor '" + info.name() + "' appears twice");
            }
        }
        long dataOffset = alignUp(in.position(), alignment);
        long dataBytes = mapping.byteSize() - dataOffset;
        for (var info : infos.values()) {
            if (info.offset() > dataBytes || info.size() > dataBytes - info.offset()) {
                throw new ModelFormatException(path, "tensor '" + info.name() + "' data (" + info.size() + " bytes at data offset "
                        + info.offset() + ") runs past the end of the file (" + Math.max(0, dataBytes) + " data bytes): truncated?");
            }
        }
        return new GgufFile(path, arena, mapping, version, alignment, dataOffset, entries, infos);
    }

    private static GgufTensorInfo readTensorInfo(SegmentCursor in, long index, int alignment) {
        var path = in.file();
        var name = in.string("name of tensor #" + index);
        int dims = in.i32("dimension count of tensor '" + name + "'");
        if (dims < 1 || dims > MAX_DIMENSIONS) {
            throw new ModelFormatException(path, "tensor '" + name + "' has " + Integer.toUnsignedString(dims)
                    + " dimensions (1 to " + MAX_DIMENSIONS + " allowed)");
        }
        var shape = new long[dims];
        long elements = 1;
        for (int d = 0; d < dims; d++) {
            long n = in.i64("dimension " + d + " of tensor '" + name + "'");
            if (n <= 0) {
                throw new ModelFormatException(path, "tensor '" + name + "' has dimension " + d + " of size " + Long.toUnsignedString(n));
            }
            try {
                elements = Math.multiplyExact(elements, n);
            } catch (ArithmeticException e) {
                throw new ModelFormatException(path, "tensor '" + name + "' has an impossible element count (overflow)");
            }
            shape[dims - 1 - d] = n; // GGUF lists innermost first
        }
        int typeId = in.i32("type of tensor '" + name + "'");
        var type = GgmlType.byId(typeId);
        if (type == null) {
            throw new ModelFormatException(path, "tensor '" + name + "' has ggml type id " + Integer.toUnsignedString(typeId)
                    + ", which this runtime does not support (supported: F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q6_K)");
        }
        long innermost = shape[dims - 1];
        if (innermost % type.blockSize() != 0) {
            throw new ModelFormatException(path, "tensor '" + name + "' of type " + type + " has rows of " + innermost
                    + " elements, not a multiple of its block size " + type.blockSize());
        }
        long size;
        try {
            size = Math.multiplyExact(elements / type.blockSize(), (long) type.bytesPerBlock());
        } catch (ArithmeticException e) {
            throw new ModelFormatException(path, "tensor '" + name + "' has an impossible byte size (overflow)");
        }
        long offset = in.i64("data offset of tensor '" + name + "'");
        if (offset < 0 || offset % alignment != 0) {
            throw new ModelFormatException(path, "tensor '" + name + "' data offset " + Long.toUnsignedString(offset)
                    + " is not a multiple of the alignment " + alignment);
        }
        return new GgufTensorInfo(name, type, shape, offset, size);
    }

    private static GgufValueType valueType(SegmentCursor in, int id, String key) {
        var type = GgufValueType.byId(Integer.toUnsignedLong(id));
        if (type == null) {
            throw new ModelFormatException(in.file(), "metadata '" + key + "' has unknown value type id " + Integer.toUnsignedString(id));
        }
        return type;
    }

    private static Object readScalar(SegmentCursor in, GgufValueType type, String key) {
        var what = "value of metadata '" + key + "'";
        return switch (type) {
            case UINT8 -> in.u8(what);
            case INT8 -> (int) in.i8(what);
            case UINT16 -> in.i16(what) & 0xFFFF;
            case INT16 -> (int) in.i16(what);
            case UINT32 -> Integer.toUnsignedLong(in.i32(what));
            case INT32 -> in.i32(what);
            case FLOAT32 -> in.f32(what);
            case BOOL -> readBool(in, what);
            case STRING -> in.string(what);
            case UINT64, INT64 -> in.i64(what);
            case FLOAT64 -> in.f64(what);
            case ARRAY -> throw new IllegalStateException("arrays are read by readArray");
        };
    }

    private static boolean readBool(SegmentCursor in, String what) {
        int b = in.u8(what);
        if (b > 1) throw new ModelFormatException(in.file(), what + " is a bool of value " + b);
        return b == 1;
    }

    private static Object readArray(SegmentCursor in, GgufValueType elementType, String key, int depth) {
        if (depth > MAX_ARRAY_DEPTH) {
            throw new ModelFormatException(in.file(), "metadata '" + key + "' nests arrays deeper than " + MAX_ARRAY_DEPTH);
        }
        long count = in.i64("length of array '" + key + "'");
        if (count < 0 || count > in.remaining() / elementType.minimumSize()) {
            throw new ModelFormatException(in.file(), "metadata array '" + key + "' claims " + Long.toUnsignedString(count)
                    + " elements of " + elementType + ", more than the " + in.remaining() + " bytes left can hold");
        }
        if (count > MAX_ARRAY_LENGTH) {
            throw new ModelFormatException(in.file(), "metadata array '" + key + "' claims " + count
                    + " elements, more than the " + MAX_ARRAY_LENGTH + " any model has: corrupt header");
        }
        int n = (int) count;
        var what = "element of array '" + key + "'";
        switch (elementType) {
            case UINT8, INT8, UINT16, INT16 -> {
                var out = new int[n];
                for (int i = 0; i < n; i++) out[i] = ((Number) readScalar(in, elementType, key)).intValue();
                return out;
            }
            case INT32 -> {
                in.require(4L * n, "array '" + key + "'");
                return in.i32Array(n);
            }
            case UINT32 -> {
                in.require(4L * n, "array '" + key + "'");
                var raw = in.i32Array(n);
                var out = new long[n];
                for (int i = 0; i < n; i++) out[i] = Integer.toUnsignedLong(raw[i]);
                return out;
            }
            case UINT64, INT64 -> {
                in.require(8L * n, "array '" + key + "'");
                return in.i64Array(n);
            }
            case FLOAT32 -> {
                in.require(4L * n, "array '" + key + "'");
                return in.f32Array(n);
            }
            case FLOAT64 -> {
                in.require(8L * n, "array '" + key + "'");
                return in.f64Array(n);
            }
            case BOOL -> {
                var out = new boolean[n];
                for (int i = 0; i < n; i++) out[i] = readBool(in, what);
                return out;
            }
            case STRING -> {
                var out = new ArrayList<String>(n);
                for (int i = 0; i < n; i++) out.add(in.string(what));
                return Collections.unmodifiableList(out);
            }
            case ARRAY -> {
                var out = new ArrayList<Object>(n);
                for (int i = 0; i < n; i++) {
                    var inner = valueType(in, in.i32("element type of " + what), key);
                    out.add(readArray(in, inner, key, depth + 1));
                }
                return Collections.unmodifiableList(out);
            }
        }
        throw new IllegalStateException("unreachable");
    }

    static long alignUp(long offset, long alignment) {
        return (offset + alignment - 1) / alignment * alignment;
    }

    public Path path() {
        return path;
    }

    /** 2 or 3. */
    public int version() {
        return version;
    }

    public int alignment() {
        return alignment;
    }

    /** Byte offset of the data section (tensor offsets are relative to it). */
    public long dataOffset() {
        return dataOffset;
    }

    public long fileSize() {
        return mapping.byteSize();
    }

    /** Every metadata value by key in file order; see the class comment for the Java types. */
    public Map<String, Object> metadata() {
        return metadata;
    }

    /** Metadata entries with their GGUF types, in file order. */
    public Map<String, GgufMetadataEntry> metadataEntries() {
        return entries;
    }

    public boolean has(String key) {
        return metadata.containsKey(key);
    }

    /** Header entries of every tensor, in file order. */
    public Map<String, GgufTensorInfo> tensorInfos() {
        return tensorInfos;
    }

    /** Every tensor, in file order, as views into the mapping. */
    public Map<String, Tensor> tensors() {
        return tensors;
    }

    /** The named tensor, or null when the file has none of that name. */
    public Tensor tensorOrNull(String name) {
        return tensors.get(name);
    }

    /** The named tensor; a {@link ModelFormatException} naming it when absent. */
    public Tensor tensor(String name) {
        var t = tensors.get(name);
        if (t == null) throw new ModelFormatException(path, "tensor '" + name + "' is missing");
        return t;
    }

    private Object require(String key) {
        var v = metadata.get(key);
        if (v == null) throw new ModelFormatException(path, "metadata '" + key + "' is missing");
        return v;
    }

    private ModelFormatException wrongType(String key, String wanted) {
        var e = entries.get(key);
        return new ModelFormatException(path, "metadata '" + key + "' is " + e.type()
                + (e.elementType() != null ? " of " + e.elementType() : "") + ", expected " + wanted);
    }

    /** An integer value of any GGUF integer type that fits in a Java long. */
    public long getLong(String key) {
        var v = require(key);
        if (!entries.get(key).type().isInteger()) throw wrongType(key, "an integer");
        return ((Number) v).longValue();
    }

    /** An integer value that must fit in an int. */
    public int getInt(String key) {
        long v = getLong(key);
        if (v != (int) v) throw new ModelFormatException(path, "metadata '" + key + "' = " + v + " is out of range");
        return (int) v;
    }

    public int getInt(String key, int fallback) {
        return has(key) ? getInt(key) : fallback;
    }

    /** A FLOAT32, FLOAT64 or integer value as a double. */
    public double getDouble(String key) {
        var v = require(key);
        if (v instanceof Number n) return n.doubleValue();
        throw wrongType(key, "a number");
    }

    public double getDouble(String key, double fallback) {
        return has(key) ? getDouble(key) : fallback;
    }

    public float getFloat(String key) {
        return (float) getDouble(key);
    }

    public float getFloat(String key, float fallback) {
        return has(key) ? getFloat(key) : fallback;
    }

    public boolean getBoolean(String key) {
        if (require(key) instanceof Boolean b) return b;
        throw wrongType(key, "a bool");
    }

    public boolean getBoolean(String key, boolean fallback) {
        return has(key) ? getBoolean(key) : fallback;
    }

    public String getString(String key) {
        if (require(key) instanceof String s) return s;
        throw wrongType(key, "a string");
    }

    /** The string, or null when absent. */
    public String getStringOrNull(String key) {
        return has(key) ? getString(key) : null;
    }

    @SuppressWarnings("unchecked")
    public List<String> getStringList(String key) {
        var e = entries.get(key);
        if (require(key) instanceof List<?> l && e.elementType() == GgufValueType.STRING) return (List<String>) l;
        throw wrongType(key, "an array of strings");
    }

    /** An array of UINT8, INT8, UINT16, INT16 or INT32 values. */
    public int[] getIntArray(String key) {
        if (require(key) instanceof int[] a) return a;
        throw wrongType(key, "an array of 32-bit or smaller integers");
    }

    public float[] getFloatArray(String key) {
        if (require(key) instanceof float[] a) return a;
        throw wrongType(key, "an array of FLOAT32");
    }

    /** Unmaps the file; its tensors become unusable. */
    @Override
    public void close() {
        if (arena.scope().isAlive()) arena.close();
    }

    @Override
    public String toString() {
        return "GGUF v" + version + " " + path + " (" + metadata.size() + " metadata, " + tensors.size() + " tensors)";
    }
}
