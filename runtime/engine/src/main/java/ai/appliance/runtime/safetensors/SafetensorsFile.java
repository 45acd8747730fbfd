package ai.appliance.runtime.safetensors;

import ai.appliance.runtime.model.ModelFormatException;
import ai.appliance.runtime.tensor.GgmlType;
import ai.appliance.runtime.tensor.MappedPages;
import ai.appliance.runtime.tensor.Tensor;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One memory-mapped {@code .safetensors} file: an 8-byte little-endian header length, a JSON header
 * naming each tensor's dtype, shape and byte range, then the data. Tensors of dtype F32, F16, BF16
 * and F8_E4M3 are exposed as views into the mapping; any other dtype is an error naming the tensor.
 * F8_E4M3 tensors come without their block scales: {@link SafetensorsCheckpoint} attaches them.
 */
public final class SafetensorsFile implements AutoCloseable {
    /** The safetensors reference implementation refuses headers above 100 MB; so do we. */
    static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path path;
    private final Arena arena;
    private final Map<String, Tensor> tensors;
    private final Map<String, String> metadata;

    private SafetensorsFile(Path path, Arena arena, Map<String, Tensor> tensors, Map<String, String> metadata) {
        this.path = path;
        this.arena = arena;
        this.tensors = Collections.unmodifiableMap(tensors);
        this.metadata = Collections.unmodifiableMap(metadata);
    }

    /** Maps and validates a safetensors file; a {@link ModelFormatException} on any problem. */
    public static SafetensorsFile open(Path path) {
        if (!Files.isRegularFile(path)) {
            throw new ModelFormatException(path, Files.exists(path) ? "not a regular file" : "file not found");
        }
        var arena = Arena.ofShared();
        try {
            MemorySegment mapping;
            try (var channel = FileChannel.open(path, StandardOpenOption.READ)) {
                long size = channel.size();
                if (size < 8) throw new ModelFormatException(path, "not a safetensors file: only " + size + " bytes");
                mapping = channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            }
            MappedPages.adviseHugePages(mapping);
            return parse(path, arena, mapping);
        } catch (IOException e) {
            arena.close();
            throw new ModelFormatException(path, "cannot read: " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    private static SafetensorsFile parse(Path path, Arena arena, MemorySegment mapping) {
        long headerLength = mapping.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
        if (headerLength < 2 || headerLength > MAX_HEADER_BYTES || headerLength > mapping.byteSize() - 8) {
            throw new ModelFormatException(path, "corrupt or truncated safetensors: header length " + Long.toUnsignedString(headerLength)
                    + " does not fit the file of " + mapping.byteSize() + " bytes");
        }
        var headerBytes = mapping.asSlice(8, headerLength).toArray(ValueLayout.JAVA_BYTE);
        JsonNode header;
        try {
            header = JSON.readTree(headerBytes);
        } catch (JacksonException e) {
            throw new ModelFormatException(path, "corrupt safetensors header: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ModelFormatException(path, "unreadable safetensors header: " + e.getMessage());
        }
        if (header == null || !header.isObject()) throw new ModelFormatException(path, "safetensors header is not a JSON object");
        long dataStart = 8 + headerLength;
        long dataBytes = mapping.byteSize() - dataStart;
        var tensors = new LinkedHashMap<String, Tensor>();
        var metadata = new LinkedHashMap<String, String>();
        for (var field : header.properties()) {
            var name = field.getKey();
            var node = field.getValue();
            if (name.equals("__metadata__")) {
                if (node.isObject()) node.properties().forEach(e -> metadata.put(e.getKey(), e.getValue().asText()));
                continue;
            }
            var info = TensorHeader.parse(path, name, node);
            if (info.end() > dataBytes) {
                throw new ModelFormatException(path, "tensor '" + name + "' data ends at byte " + info.end()
                        + " past the end of the data (" + dataBytes + " bytes): truncated?");
            }
            tensors.put(name, new Tensor(name, info.type(), info.shape(), mapping.asSlice(dataStart + info.begin(), info.end() - info.begin())));
        }
        return new SafetensorsFile(path, arena, tensors, metadata);
    }

    /** One header entry, validated. */
    private record TensorHeader(GgmlType type, long[] shape, long begin, long end) {
        static TensorHeader parse(Path path, String name, JsonNode node) {
            if (!node.isObject()) throw new ModelFormatException(path, "tensor '" + name + "' header entry is not an object");
            var dtype = node.path("dtype").asText("");
            var type = switch (dtype) {
                case "F32" -> GgmlType.F32;
                case "F16" -> GgmlType.F16;
                case "BF16" -> GgmlType.BF16;
                case "F8_E4M3" -> GgmlType.FP8_E4M3;
                case "F8_E5M2" -> throw new ModelFormatException(path, "tensor '" + name + "' has dtype 'F8_E5M2' (FP8 with"
                        + " 5 exponent bits), which is not supported; FP8 weights must be F8_E4M3 with block scales");
                default -> throw new ModelFormatException(path, "tensor '" + name + "' has dtype '" + dtype
                        + "'; supported: F32, F16, BF16, F8_E4M3");
            };
            var shapeNode = node.path("shape");
            if (!shapeNode.isArray() || shapeNode.size() > 8) {
                throw new ModelFormatException(path, "tensor '" + name + "' has no valid shape");
            }
            var shape = new long[Math.max(1, shapeNode.size())];
            shape[0] = 1; // a scalar is one element
            long elements = 1;
            for (int i = 0; i < shapeNode.size(); i++) {
                var d = shapeNode.get(i);
                if (!d.canConvertToLong() || !d.isIntegralNumber() || d.asLong() <= 0) {
                    throw new ModelFormatException(path, "tensor '" + name + "' has invalid dimension " + d);
                }
                shape[i] = d.asLong();
                try {
                    elements = Math.multiplyExact(elements, shape[i]);
                } catch (ArithmeticException e) {
                    throw new ModelFormatException(path, "tensor '" + name + "' has an impossible element count");
                }
            }
            var offsets = node.path("data_offsets");
            if (!offsets.isArray() || offsets.size() != 2 || !offsets.get(0).canConvertToLong() || !offsets.get(1).canConvertToLong()
                    || !offsets.get(0).isIntegralNumber() || !offsets.get(1).isIntegralNumber()) {
                throw new ModelFormatException(path, "tensor '" + name + "' has no valid data_offsets");
            }
            long begin = offsets.get(0).asLong();
            long end = offsets.get(1).asLong();
            if (begin < 0 || end < begin) {
                throw new ModelFormatException(path, "tensor '" + name + "' has data_offsets [" + begin + ", " + end + "]");
            }
            if (elements > Long.MAX_VALUE / 4 || end - begin != type.bytesFor(elements)) {
                throw new ModelFormatException(path, "tensor '" + name + "' of " + dtype + " " + java.util.Arrays.toString(shape)
                        + " needs " + elements + " elements but its data_offsets span " + (end - begin) + " bytes");
            }
            return new TensorHeader(type, shape, begin, end);
        }
    }

    public Path path() {
        return path;
    }

    /** Every tensor in header order. */
    public Map<String, Tensor> tensors() {
        return tensors;
    }

    /** The free-form {@code __metadata__} strings. */
    public Map<String, String> metadata() {
        return metadata;
    }

    @Override
    public void close() {
        if (arena.scope().isAlive()) arena.close();
    }
}
