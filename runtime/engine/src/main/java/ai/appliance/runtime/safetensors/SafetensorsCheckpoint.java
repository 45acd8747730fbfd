package ai.appliance.runtime.safetensors;

import ai.appliance.runtime.kernels.Dequantize;
import ai.appliance.runtime.model.ModelFormatException;
import ai.appliance.runtime.tensor.BlockScales;
import ai.appliance.runtime.tensor.GgmlType;
import ai.appliance.runtime.tensor.Tensor;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors weights of a Hugging Face checkpoint folder: either one {@code model.safetensors}
 * or the shards listed in {@code model.safetensors.index.json}. All shards stay mapped until close.
 *
 * <p>FP8 checkpoints ({@link Fp8BlockQuantization}): each F8_E4M3 weight {@code X} gets the scales of
 * its tensor {@code X_scale_inv} attached ({@link Tensor#scales()}), checked against the weight's shape
 * and the configured block size. The scale tensors are then not among {@link #tensors()}, the model's
 * weights, but in {@link #blockScaleTensors()}.
 */
public final class SafetensorsCheckpoint implements AutoCloseable {
    public static final String SINGLE_FILE = "model.safetensors";
    public static final String INDEX_FILE = "model.safetensors.index.json";

    private final Path folder;
    private final List<SafetensorsFile> files;
    private final Map<String, Tensor> tensors;
    private final Map<String, Tensor> blockScaleTensors;
    private final Fp8BlockQuantization blockQuantization;

    private SafetensorsCheckpoint(Path folder, List<SafetensorsFile> files, Map<String, Tensor> tensors,
                                  Map<String, Tensor> blockScaleTensors, Fp8BlockQuantization blockQuantization) {
        this.folder = folder;
        this.files = files;
        this.tensors = Collections.unmodifiableMap(tensors);
        this.blockScaleTensors = Collections.unmodifiableMap(blockScaleTensors);
        this.blockQuantization = blockQuantization;
    }

    /** Whether the folder holds safetensors weights this class can open. */
    public static boolean isCheckpoint(Path folder) {
        return Files.isRegularFile(folder.resolve(INDEX_FILE)) || Files.isRegularFile(folder.resolve(SINGLE_FILE));
    }

    /**
     * Opens the checkpoint in {@code folder}. Where it holds F8_E4M3 tensors, their block size comes from
     * the folder's {@code config.json} ({@link Fp8BlockQuantization#read}); config.json is not read otherwise.
     */
    public static SafetensorsCheckpoint open(Path folder) {
        return open(folder, null, true);
    }

    /**
     * Opens the checkpoint in {@code folder} with the block quantization its config declares
     * ({@link Fp8BlockQuantization#fromConfig}), or none (null): then an F8_E4M3 tensor is an error.
     */
    public static SafetensorsCheckpoint open(Path folder, Fp8BlockQuantization blockQuantization) {
        return open(folder, blockQuantization, false);
    }

    private static SafetensorsCheckpoint open(Path folder, Fp8BlockQuantization blockQuantization, boolean fromConfig) {
        var index = folder.resolve(INDEX_FILE);
        if (Files.isRegularFile(index)) return withBlockScales(openSharded(folder, index), blockQuantization, fromConfig);
        var single = folder.resolve(SINGLE_FILE);
        if (!Files.isRegularFile(single)) {
            throw new ModelFormatException(folder, "no " + SINGLE_FILE + " or " + INDEX_FILE + " in this folder");
        }
        var file = SafetensorsFile.open(single);
        return withBlockScales(new SafetensorsCheckpoint(folder, List.of(file), new LinkedHashMap<>(file.tensors()), Map.of(), null),
                blockQuantization, fromConfig);
    }

    /**
     * {@code raw} with each F8_E4M3 tensor's block scales attached and the scale tensors set apart; raw
     * itself where it has no F8_E4M3 tensor. Closes raw's files when it throws.
     */
    private static SafetensorsCheckpoint withBlockScales(SafetensorsCheckpoint raw, Fp8BlockQuantization quantization,
                                                         boolean fromConfig) {
        try {
            var fp8 = raw.tensors.values().stream().filter(t -> t.type() == GgmlType.FP8_E4M3).findFirst();
            if (fp8.isEmpty()) return raw;
            if (fromConfig) quantization = Fp8BlockQuantization.read(raw.folder);
            if (quantization == null) {
                throw new ModelFormatException(raw.folder, "tensor '" + fp8.get().name() + "' is F8_E4M3, but config.json declares"
                        + " no quantization_config with quant_method fp8 and weight_block_size: its block size is unknown");
            }
            var weights = new LinkedHashMap<String, Tensor>();
            var scaleTensors = new LinkedHashMap<String, Tensor>();
            for (var t : raw.tensors.values()) {
                var name = t.name();
                if (name.endsWith(Fp8BlockQuantization.SCALE_SUFFIX)) {
                    var weight = raw.tensors.get(name.substring(0, name.length() - Fp8BlockQuantization.SCALE_SUFFIX.length()));
                    if (weight != null && weight.type() != GgmlType.FP8_E4M3) {
                        throw new ModelFormatException(raw.folder, "tensor '" + name + "' is the block scales of '" + weight.name()
                                + "', which is " + weight.type() + ", not F8_E4M3");
                    }
                    // The scales of an F8_E4M3 weight, or of none: in either case not a weight of the model.
                    scaleTensors.put(name, t);
                } else if (t.type() == GgmlType.FP8_E4M3) {
                    weights.put(name, t.withScales(blockScales(raw.folder, t, raw.tensors.get(Fp8BlockQuantization.scaleName(name)),
                            quantization)));
                } else {
                    weights.put(name, t);
                }
            }
            return new SafetensorsCheckpoint(raw.folder, raw.files, weights, scaleTensors, quantization);
        } catch (RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    /** The scales that {@code scale} (X_scale_inv) holds for the F8_E4M3 weight {@code weight} (X), checked. */
    private static BlockScales blockScales(Path folder, Tensor weight, Tensor scale, Fp8BlockQuantization quantization) {
        var scaleName = Fp8BlockQuantization.scaleName(weight.name());
        if (scale == null) {
            throw new ModelFormatException(folder, "F8_E4M3 tensor '" + weight.name() + "' has no block scales: tensor '"
                    + scaleName + "' is missing");
        }
        if (weight.shape().length != 2) {
            throw new ModelFormatException(folder, "F8_E4M3 tensor '" + weight.name() + "' has shape " + Arrays.toString(weight.shape())
                    + "; block scales are supported for 2-D weights only");
        }
        if (scale.type() != GgmlType.F32 && scale.type() != GgmlType.BF16) {
            throw new ModelFormatException(folder, "tensor '" + scaleName + "' (block scales of '" + weight.name() + "') is "
                    + scale.type() + "; expected F32 or BF16");
        }
        long rows = weight.shape()[0];
        long columns = weight.shape()[1];
        long[] expected = {BlockScales.blocksFor(rows, quantization.rowBlock()), BlockScales.blocksFor(columns, quantization.columnBlock())};
        if (!Arrays.equals(scale.shape(), expected)) {
            throw new ModelFormatException(folder, "tensor '" + scaleName + "' has shape " + Arrays.toString(scale.shape())
                    + ", but F8_E4M3 weight '" + weight.name() + "' of shape " + Arrays.toString(weight.shape())
                    + " in blocks of " + quantization.rowBlock() + "x" + quantization.columnBlock() + " (weight_block_size) needs "
                    + Arrays.toString(expected));
        }
        var values = new float[(int) (expected[0] * expected[1])];
        Dequantize.values(scale.type(), scale.data(), 0, values, 0, values.length);
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new ModelFormatException(folder, "tensor '" + scaleName + "' holds " + values[i] + " at block ["
                        + i / expected[1] + ", " + i % expected[1] + "]");
            }
        }
        return new BlockScales(quantization.rowBlock(), quantization.columnBlock(), (int) expected[0], (int) expected[1], values);
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
            return new SafetensorsCheckpoint(folder, List.copyOf(opened), tensors, Map.of(), null);
        } catch (RuntimeException e) {
            opened.forEach(SafetensorsFile::close);
            throw e;
        }
    }

    public Path folder() {
        return folder;
    }

    /**
     * Every tensor of every shard, by name: the model's weights, F8_E4M3 ones with their block scales
     * attached. The scale tensors themselves are in {@link #blockScaleTensors()}.
     */
    public Map<String, Tensor> tensors() {
        return tensors;
    }

    /** The {@code X_scale_inv} tensors, as stored, that the F8_E4M3 weights' block scales came from; empty for other checkpoints. */
    public Map<String, Tensor> blockScaleTensors() {
        return blockScaleTensors;
    }

    /** The block quantization of the F8_E4M3 weights; null when the checkpoint has none. */
    public Fp8BlockQuantization blockQuantization() {
        return blockQuantization;
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
