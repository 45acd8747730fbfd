package ai.appliance.runtime.model;

import ai.appliance.runtime.tensor.Tensor;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * The tensors of one model file or checkpoint, by the names that format gives them, with checked access: a missing
 * tensor or a wrong shape is a {@link ModelFormatException} that names the file and the tensor.
 *
 * @param gguf whether the names follow llama.cpp's GGUF convention (else Hugging Face's)
 */
public record ModelTensors(Path file, boolean gguf, Map<String, Tensor> byName) {

    /** The tensor, or null when the file has none of that name. */
    public Tensor optional(String name) {
        return byName.get(name);
    }

    public boolean has(String name) {
        return byName.containsKey(name);
    }

    /** The tensor, which must exist and have exactly {@code shape} (row-major, outermost first). */
    public Tensor required(String name, long... shape) {
        var t = byName.get(name);
        if (t == null) throw new ModelFormatException(file, "tensor '" + name + "' is missing");
        return checked(t, shape);
    }

    /** The tensor if present, checked against {@code shape}; null if absent. */
    public Tensor optional(String name, long... shape) {
        var t = byName.get(name);
        return t == null ? null : checked(t, shape);
    }

    public Tensor checked(Tensor t, long... shape) {
        if (!Arrays.equals(t.shape(), shape)) {
            throw new ModelFormatException(file, "tensor '" + t.name() + "' has shape " + Arrays.toString(t.shape())
                    + " but the model's hyper-parameters need " + Arrays.toString(shape));
        }
        return t;
    }
}
