package ai.appliance.runtime.arch.deepseek2;

import ai.appliance.runtime.gguf.GgufFile;
import ai.appliance.runtime.gguf.GgufWriter;
import ai.appliance.runtime.tensor.GgmlType;
import ai.appliance.runtime.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.function.Consumer;

/** Copies a GGUF file with edited metadata and tensors, for tests that need a variant of a fixture. */
final class GgufRewrite {
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Adds the replacement of {@code t} to the writer and returns true, or returns false to copy it unchanged. */
    @FunctionalInterface
    interface TensorEdit {
        boolean replace(Tensor t, GgufWriter writer);
    }

    private GgufRewrite() {
    }

    static Path rewrite(Path source, Path target, Consumer<GgufWriter> metadataEdits, TensorEdit tensorEdit) throws IOException {
        try (var gguf = GgufFile.open(source)) {
            var writer = new GgufWriter();
            for (var e : gguf.metadataEntries().values()) writer.put(e);
            metadataEdits.accept(writer);
            for (var t : gguf.tensors().values()) {
                if (!tensorEdit.replace(t, writer)) writer.addTensor(t.name(), t.type(), t.shape(), sink -> sink.put(t.data()));
            }
            writer.write(target, bytes -> { });
        }
        return target;
    }

    /**
     * The F16 file in the split layout of newer llama.cpp converters: each {@code attn_kv_b} [heads·(nope + v), kv_lora]
     * becomes {@code attn_k_b} [heads, kv_lora, nope] (each head's k rows transposed, as the converter's
     * {@code k_b.transpose(1, 2)}) and {@code attn_v_b} [heads, v, kv_lora]; the metadata describes the latent as one
     * key/value head ({@code head_count_kv} 1, {@code key_length} kv_lora + rope, {@code value_length} kv_lora) with
     * the per-head sizes in {@code key_length_mla} / {@code value_length_mla}.
     */
    static Path splitKvB(Path f16Source, Path target) throws IOException {
        DeepSeek2Config c;
        try (var gguf = GgufFile.open(f16Source)) {
            c = DeepSeek2GgufConfig.read(gguf);
        }
        int heads = c.headCount();
        int nope = c.qkNopeHeadDim();
        int v = c.valueHeadDim();
        int rank = c.kvLoraRank();
        var p = DeepSeek2Config.ARCHITECTURE + ".";
        return rewrite(f16Source, target, w -> {
            w.putUInt32(p + "attention.head_count_kv", 1);
            w.putUInt32(p + "attention.key_length", rank + c.qkRopeHeadDim());
            w.putUInt32(p + "attention.value_length", rank);
            w.putUInt32(p + "attention.key_length_mla", c.queryHeadDim());
            w.putUInt32(p + "attention.value_length_mla", v);
        }, (t, w) -> {
            if (!t.name().endsWith("attn_kv_b.weight")) return false;
            if (t.type() != GgmlType.F16) throw new IllegalArgumentException("splits F16 only (exact), not " + t);
            var data = t.data();
            var prefix = t.name().substring(0, t.name().length() - "attn_kv_b.weight".length());
            w.addTensor(prefix + "attn_k_b.weight", GgmlType.F16, new long[] {heads, rank, nope}, sink -> {
                for (int h = 0; h < heads; h++) {
                    for (int r = 0; r < rank; r++) {
                        var out = sink.reserve(2 * nope);
                        for (int n = 0; n < nope; n++) out.putShort(data.get(I16, 2L * ((long) (h * (nope + v) + n) * rank + r)));
                    }
                }
            });
            w.addTensor(prefix + "attn_v_b.weight", GgmlType.F16, new long[] {heads, v, rank}, sink -> {
                for (int h = 0; h < heads; h++) {
                    sink.put(data.asSlice(2L * (h * (nope + v) + nope) * rank, 2L * v * rank));
                }
            });
            return true;
        });
    }
}
