package ai.appliance.runtime.safetensors;

import ai.appliance.runtime.model.ModelFormatException;
import ai.appliance.runtime.tensor.Tensor;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors weights of a Hugging Face checkpoint folder: either one {@code model.safetensors}
 * or the shards listed in {@code model.safetensors.index.json}. All shards stay mapped until close.
 */
public final class SafetensorsCheckpoint implements AutoCloseable {
    public static final String SINGLE_FILE = "model.safetensors";
    public static final String INDEX_FILE = "model.safetensors.index.json";

    private final Path folder;
    private final List<SafetensorsFile> files;
    private final Map<String, Tensor> tensors;

    private SafetensorsCheckpoint(Path folder, List<SafetensorsFile> files, Map<String, Tensor> tensors) {
        this.folder = folder;
        this.files = files;
        this.tensors = Collections.unmodifiableMap(tensors);
    }

    /** Whether the folder holds safetensors weights this class can open. */
    public static boolean isCheckpoint(Path folder) {
        return Files.isRegularFile(folder.resolve(INDEX_FILE)) || Files.isRegularFile(folder.resolve(SINGLE_FILE));
    }

    public static SafetensorsCheckpoint open(Path folder) {
        var index = folder.resolve(INDEX_FILE);
        if (Files.isRegularFile(index)) return openSharded(folder, index);
        var single = folder.resolve(SINGLE_FILE);
        if (!Files.isRegularFile(single)) {
            throw new ModelFormatException(folder, "no " + SINGLE_FILE + " or " + INDEX_FILE + " in this folder");
        }
        var file = SafetensorsFile.open(single);
        return new SafetensorsCheckpoint(folder, List.of(file), new LinkedHashMap<>(file.tensors()));
    }

    private static SafetensorsCheckpoint openSharded(Path folder, Path index) {
        Map<String, String> weightMap = new LinkedHashMap<>();
        try {
            var root = new ObjectMapper().readTree(index.toFile());
            var map = root == null ? null : root.get("weight_map");
            if (map == null || !map.isObject()) throw new ModelFormatException(index, "no weight_map object");
            for (var e : map.properties()) {
                if (!e.getValue().isTextual()) throw new ModelFormatException(index, "weight_map entry '" + e.getKey() + "' is not a file name");
                weightMap.put(e.getKey(), e.getValue().asText());
            }
        } catch (JacksonException e) {
            throw new ModelFormatException(index, "corrupt JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ModelFormatException(index, "cannot read: " + e.getMessage(), e);
        }
        var shards = new LinkedHashMap<String, SafetensorsFile>();
        var opened = new ArrayList<SafetensorsFile>();
        try {
            var tensors = new LinkedHashMap<String, Tensor>();
            for (var e : weightMap.entrySet()) {
                var shardName = e.getValue();
                var shardPath = folder.resolve(shardName).normalize();
                if (!shardPath.getParent().equals(folder.normalize())) {
                    throw new ModelFormatException(index, "shard '" + shardName + "' is outside the checkpoint folder");
                }
                var shard = shards.get(shardName);
                if (shard == null) {
                    shard = SafetensorsFile.open(shardPath);
                    opened.add(shard);
                    shards.put(shardName, shard);
                }
                var t = shard.tensors().get(e.getKey());
                if (t == null) {
                    throw new ModelFormatException(shardPath, "tensor '" + e.getKey() + "' listed in " + INDEX_FILE + " is missing");
                }
                tensors.put(e.getKey(), t);
            }
            return new SafetensorsCheckpoint(folder, List.copyOf(opened), tensors);
        } catch (RuntimeException e) {
            opened.forEach(SafetensorsFile::close);
            throw e;
        }
    }

    public Path folder() {
        return folder;
    }

    /** Every tensor of every shard, by name. */
    public Map<String, Tensor> tensors() {
        return tensors;
    }

    /** The named tensor; a {@link ModelFormatException} naming it when absent. */
    public Tensor tensor(String name) {
        var t = tensors.get(name);
        if (t == null) throw new ModelFormatException(folder, "tensor '" + name + "' is missing from the checkpoint");
        return t;
    }

    @Override
    public void close() {
        files.forEach(SafetensorsFile::close);
    }
}
