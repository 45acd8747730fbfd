package ai.appliance.runtime.model;

import ai.appliance.runtime.tensor.Tensor;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Writes safetensors files from existing tensors, for tests that need variants of a fixture checkpoint. */
final class SafetensorsTestFiles {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SafetensorsTestFiles() {
    }

    static void writeWithout(Map<String, Tensor> tensors, String omitted, Path out) throws IOException {
        var kept = new ArrayList<Tensor>();
        tensors.values().forEach(t -> {
            if (!t.name().equals(omitted)) kept.add(t);
        });
        write(kept, out);
    }

    static void writeSharded(Map<String, Tensor> tensors, Path folder, int shards) throws IOException {
        var all = new ArrayList<>(tensors.values());
        var weightMap = new LinkedHashMap<String, String>();
        for (int s = 0; s < shards; s++) {
            var part = new ArrayList<Tensor>();
            for (int i = s; i < all.size(); i += shards) part.add(all.get(i));
            var name = "model-%05d-of-%05d.safetensors".formatted(s + 1, shards);
            write(part, folder.resolve(name));
            part.forEach(t -> weightMap.put(t.name(), name));
        }
        Files.writeString(folder.resolve("model.safetensors.index.json"),
                JSON.writeValueAsString(Map.of("metadata", Map.of(), "weight_map", weightMap)));
    }

    static void write(List<Tensor> tensors, Path out) throws IOException {
        var header = new LinkedHashMap<String, Object>();
        long offset = 0;
        for (var t : tensors) {
            long size = t.data().byteSize();
            header.put(t.name(), Map.of("dtype", t.type().name(), "shape", t.shape(), "data_offsets", List.of(offset, offset + size)));
            offset += size;
        }
        var json = JSON.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
        var buffer = ByteBuffer.allocate((int) (8 + json.length + offset)).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(json.length).put(json);
        for (var t : tensors) buffer.put(t.data().toArray(ValueLayout.JAVA_BYTE));
        Files.write(out, buffer.array());
    }
}
