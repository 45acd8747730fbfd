package ai.appliance.runtime.quantize;

import ai.appliance.runtime.gguf.GgufFile;
import ai.appliance.runtime.gguf.GgufMetadataEntry;
import ai.appliance.runtime.gguf.GgufValueType;
import ai.appliance.runtime.gguf.GgufWriter;
import ai.appliance.runtime.model.ModelFormatException;
import ai.appliance.runtime.tensor.GgmlType;

/**
 * Plans a Q8_0 copy of an F32/F16/BF16 GGUF: the same metadata (general.file_type set to Q8_0),
 * the same tensors in the same order, matrices re-encoded to Q8_0 and vectors kept F32. Row order is
 * kept: the source is already in GGUF layout.
 */
public final class GgufRequantizer {
    private GgufRequantizer() {
    }

    public static void plan(GgufFile source, GgufWriter writer) {
        for (var e : source.metadataEntries().values()) {
            if (e.key().equals("general.file_type")) {
                writer.put(new GgufMetadataEntry(e.key(), GgufValueType.UINT32, null, (long) GgufModelMetadata.FILE_TYPE_Q8_0));
            } else if (!e.key().equals("general.quantization_version")) {
                writer.put(e);
            }
        }
        if (!writer.has("general.file_type")) writer.putUInt32("general.file_type", GgufModelMetadata.FILE_TYPE_Q8_0);
        GgufModelMetadata.writeQuantizationVersion(writer);
        for (var t : source.tensors().values()) {
            if (t.type() == GgmlType.Q8_0) {
                writer.addTensor(t.name(), t.type(), t.shape(), sink -> sink.put(t.data()));
            } else if (FloatRows.isFloat(t.type())) {
                TensorEncoding.add(writer, t.name(), t, TensorEncoding.q8Target(t), r -> r);
            } else {
                throw new ModelFormatException(source.path(), "tensor '" + t.name() + "' is " + t.type()
                        + "; quantize accepts F32, F16 and BF16 GGUFs (re-quantizing other quantized types is not supported)");
            }
        }
    }
}
