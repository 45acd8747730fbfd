package ai.appliance.runtime.synth;

import ai.appliance.runtime.gguf.GgufWriter;
import ai.appliance.runtime.gguf.TensorSink;
import ai.appliance.runtime.model.Architecture;
import ai.appliance.runtime.model.Llama3RopeFactors;
import ai.appliance.runtime.model.TensorNaming;
import ai.appliance.runtime.model.TensorNaming.Layer;
import ai.appliance.runtime.quantize.GgufModelMetadata;
import ai.appliance.runtime.tensor.GgmlType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * Plans a random-weight GGUF with the exact shapes and metadata of a real model. Matrices are drawn
 * with a small standard deviation (0.02, like transformer initialisation) so activations stay finite;
 * norm weights are 1. Values come from a fast xorshift generator straight into the writer's buffers:
 * Q8_0 blocks as a fixed fp16 scale and uniformly random int8 values, F16 as draws from a table of
 * pre-sampled normal values. The same seed gives the same file.
 */
public final class SyntheticModelWriter {
    static final float WEIGHT_STD = 0.02f;
    /** Standard deviation of a uniformly random int8. */
    private static final double INT8_STD = Math.sqrt((256.0 * 256.0 - 1) / 12.0);
    private static final int F16_TABLE_BITS = 12;

    private SyntheticModelWriter() {
    }

    /** @param type Q8_0 or F16 for the matrices (vectors are always F32) */
    public static void plan(SyntheticModelSpec spec, GgmlType type, long seed, GgufWriter writer) {
        if (type != GgmlType.Q8_0 && type != GgmlType.F16) throw new IllegalArgumentException("synth writes Q8_0 or F16, not " + type);
        var c = spec.config();
        var names = TensorNaming.GGUF;
        long hidden = c.embeddingLength();
        long q = (long) c.headCount() * c.headDimension();
        long kv = (long) c.keyValueHeadCount() * c.headDimension();
        long ffn = c.feedForwardLength();
        var plan = new TensorPlan(writer, type, seed);
        if (c.architecture() == Architecture.LLAMA && c.ropeScaling() != null) {
            var factors = Llama3RopeFactors.compute(c.ropeScaling(), c.ropeTheta(), c.headDimension());
            writer.addTensor("rope_freqs.weight", GgmlType.F32, new long[] {factors.length}, sink -> {
                var out = sink.reserve(4 * factors.length);
                for (float f : factors) out.putFloat(f);
            });
        }
        plan.matrix(names.embedding(), c.vocabularySize(), hidden);
        for (int i = 0; i < c.layerCount(); i++) {
            plan.ones(names.layer(i, Layer.ATTENTION_NORM), hidden);
            plan.matrix(names.layer(i, Layer.QUERY), q, hidden);
            plan.matrix(names.layer(i, Layer.KEY), kv, hidden);
            plan.matrix(names.layer(i, Layer.VALUE), kv, hidden);
            if (c.architecture() == Architecture.QWEN2) {
                plan.vector(names.layer(i, Layer.QUERY_BIAS), q);
                plan.vector(names.layer(i, Layer.KEY_BIAS), kv);
                plan.vector(names.layer(i, Layer.VALUE_BIAS), kv);
            }
            plan.matrix(names.layer(i, Layer.ATTENTION_OUTPUT), hidden, q);
            plan.ones(names.layer(i, Layer.FEED_FORWARD_NORM), hidden);
            plan.matrix(names.layer(i, Layer.GATE), ffn, hidden);
            plan.matrix(names.layer(i, Layer.UP), ffn, hidden);
            plan.matrix(names.layer(i, Layer.DOWN), hidden, ffn);
        }
        plan.ones(names.outputNorm(), hidden);
        if (!c.tiedEmbeddings()) plan.matrix(names.output(), c.vocabularySize(), hidden);

        int fileType = type == GgmlType.Q8_0 ? GgufModelMetadata.FILE_TYPE_Q8_0 : GgufModelMetadata.FILE_TYPE_F16;
        var name = spec.displayName() + " (RANDOM WEIGHTS: synthetic demo model, output is noise)";
        // Like llama.cpp, label by the size in the model's name ("1.5B") when it has one, else by the count.
        var named = java.util.regex.Pattern.compile("-(\\d+(?:\\.\\d+)?[BM])$").matcher(spec.displayName());
        var sizeLabel = named.find() ? named.group(1) : GgufModelMetadata.sizeLabel(plan.parameters);
        GgufModelMetadata.writeHyperParameters(writer, c, name, sizeLabel, fileType);
        writeTokenizer(spec, writer);
        GgufModelMetadata.writeQuantizationVersion(writer);
    }

    private static void writeTokenizer(SyntheticModelSpec spec, GgufWriter writer) {
        var vocabulary = SyntheticVocabulary.build(spec);
        writer.putString("tokenizer.ggml.model", "gpt2");
        writer.putString("tokenizer.ggml.pre", spec.config().architecture() == Architecture.QWEN2 ? "qwen2" : "llama-bpe");
        writer.putStrings("tokenizer.ggml.tokens", vocabulary.tokens());
        writer.putInt32s("tokenizer.ggml.token_type", vocabulary.types());
        writer.putStrings("tokenizer.ggml.merges", vocabulary.merges());
        writer.putUInt32("tokenizer.ggml.bos_token_id", spec.bosId());
        writer.putUInt32("tokenizer.ggml.eos_token_id", spec.eosId());
        writer.putUInt32("tokenizer.ggml.padding_token_id", spec.padId());
        writer.putBool("tokenizer.ggml.add_bos_token", true);
        writer.putBool("tokenizer.ggml.add_eos_token", false);
        writer.putString("tokenizer.chat_template", chatTemplate());
    }

    /** DeepSeek-R1-Distill's own chat template (a copy of its tokenizer_config.json's). */
    public static String chatTemplate() {
        try (InputStream in = SyntheticModelWriter.class.getResourceAsStream("deepseek-r1-chat-template.jinja")) {
            if (in == null) throw new IllegalStateException("deepseek-r1-chat-template.jinja missing from the class path");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Adds tensors with independent, seed-derived random streams, counting parameters. */
    private static final class TensorPlan {
        private final GgufWriter writer;
        private final GgmlType type;
        private final long seed;
        private final short[] f16Table;
        private final short q8Scale = Float.floatToFloat16((float) (WEIGHT_STD / INT8_STD));
        private int index;
        long parameters;

        TensorPlan(GgufWriter writer, GgmlType type, long seed) {
            this.writer = writer;
            this.type = type;
            this.seed = seed;
            var random = new Random(seed);
            f16Table = new short[1 << F16_TABLE_BITS];
            for (int i = 0; i < f16Table.length; i++) f16Table[i] = Float.floatToFloat16((float) random.nextGaussian() * WEIGHT_STD);
        }

        private long streamSeed() {
            return seed * 0x9E3779B97F4A7C15L + (++index) * 0xBF58476D1CE4E5B9L;
        }

        void matrix(String name, long rows, long cols) {
            parameters += rows * cols;
            long elements = rows * cols;
            var random = new XorShift(streamSeed());
            if (type == GgmlType.Q8_0) {
                writer.addTensor(name, type, new long[] {rows, cols}, sink -> writeQ8(sink, elements / 32, random));
            } else {
                writer.addTensor(name, type, new long[] {rows, cols}, sink -> writeF16(sink, elements, random));
            }
        }

        void vector(String name, long length) {
            parameters += length;
            var random = new Random(streamSeed());
            writer.addTensor(name, GgmlType.F32, new long[] {length}, sink -> {
                for (long i = 0; i < length; i++) sink.reserve(4).putFloat((float) random.nextGaussian() * WEIGHT_STD);
            });
        }

        void ones(String name, long length) {
            parameters += length;
            writer.addTensor(name, GgmlType.F32, new long[] {length}, sink -> {
                for (long i = 0; i < length; i++) sink.reserve(4).putFloat(1f);
            });
        }

        private void writeQ8(TensorSink sink, long blocks, XorShift random) throws IOException {
            final int batch = 4096;
            for (long b = 0; b < blocks; b += batch) {
                int n = (int) Math.min(batch, blocks - b);
                var out = sink.reserve(n * 34);
                for (int i = 0; i < n; i++) {
                    out.putShort(q8Scale);
                    out.putLong(random.next());
                    out.putLong(random.next());
                    out.putLong(random.next());
                    out.putLong(random.next());
                }
            }
        }

        private void writeF16(TensorSink sink, long elements, XorShift random) throws IOException {
            final int batch = 5 * 8192;
            int mask = (1 << F16_TABLE_BITS) - 1;
            for (long e = 0; e < elements; e += batch) {
                int n = (int) Math.min(batch, elements - e);
                var out = sink.reserve(2 * n);
                int i = 0;
                while (i < n) {
                    long r = random.next();
                    for (int k = 0; k < 5 && i < n; k++, i++) {
                        out.putShort(f16Table[(int) (r >>> (k * F16_TABLE_BITS)) & mask]);
                    }
                }
            }
        }
    }

    /** xorshift64*: tiny and fast; quality is ample for random weights. */
    static final class XorShift {
        private long state;

        XorShift(long seed) {
            state = seed == 0 ? 0x2545F4914F6CDD1DL : seed;
        }

        long next() {
            state ^= state >>> 12;
            state ^= state << 25;
            state ^= state >>> 27;
            return state * 0x2545F4914F6CDD1DL;
        }
    }
}
