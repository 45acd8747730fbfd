package ai.appliance.runtime.synth;

import ai.appliance.runtime.gguf.GgufWriter;
import ai.appliance.runtime.gguf.TensorSink;
import ai.appliance.runtime.quantize.GgufModelMetadata;
import ai.appliance.runtime.tensor.GgmlType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Plans a random-weight GGUF with the exact shapes and metadata of a real model. Matrices are drawn
 * with a small standard deviation (0.02, like transformer initialisation) so activations stay finite;
 * norm weights are 1. Values come from a fast xorshift generator straight into the writer's buffers:
 * quantized blocks as fixed scales (and mins) with uniformly random quants, chosen so the values have
 * mean 0 (half a quant step below for the asymmetric Q4_0 and Q6_K grids) and that standard deviation; F16 and BF16 as draws from a table of pre-sampled normal values.
 * Every weight type the engine reads can be written, so {@code bench} measures each kernel on real
 * shapes. The same seed gives the same file.
 */
public final class SyntheticModelWriter {
    static final float WEIGHT_STD = 0.02f;
    /** Standard deviations of uniformly random int8, 4-bit and 6-bit quants. */
    private static final double INT8_STD = Math.sqrt((256.0 * 256.0 - 1) / 12.0);
    private static final double INT4_STD = Math.sqrt((16.0 * 16.0 - 1) / 12.0);
    private static final double INT6_STD = Math.sqrt((64.0 * 64.0 - 1) / 12.0);
    /** The one 6-bit sub-block scale (and min) every Q4_K block uses; Q6_K's int8 sub-block scale. */
    private static final int K_SCALE = 32;
    private static final int Q6_K_SCALE = 16;
    /** Matrix types synth writes, with their general.file_type (for Q4_K: MOSTLY_Q4_K_S, every matrix Q4_K). */
    private static final Map<GgmlType, Integer> FILE_TYPES = Map.of(
            GgmlType.F16, GgufModelMetadata.FILE_TYPE_F16, GgmlType.BF16, GgufModelMetadata.FILE_TYPE_BF16,
            GgmlType.Q8_0, GgufModelMetadata.FILE_TYPE_Q8_0, GgmlType.Q4_0, GgufModelMetadata.FILE_TYPE_Q4_0,
            GgmlType.Q4_K, GgufModelMetadata.FILE_TYPE_Q4_K_S, GgmlType.Q6_K, GgufModelMetadata.FILE_TYPE_Q6_K);
    private static final int F16_TABLE_BITS = 12;

    private SyntheticModelWriter() {
    }

    /** The matrix types {@link #plan} writes. */
    public static Set<GgmlType> types() {
        return FILE_TYPES.keySet();
    }

    /** @param type the matrices' type, one of {@link #types()} (vectors are always F32) */
    public static void plan(SyntheticModelSpec spec, GgmlType type, long seed, GgufWriter writer) {
        if (!FILE_TYPES.containsKey(type)) throw new IllegalArgumentException("synth writes " + types() + ", not " + type);
        var c = spec.config();
        var plan = new TensorPlan(writer, type, seed);
        spec.architecture().planSyntheticTensors(c, plan);

        int fileType = FILE_TYPES.get(type);
        var name = spec.displayName() + " (RANDOM WEIGHTS: synthetic demo model, output is noise)";
        // Like llama.cpp, label by the size in the model's name ("1.5B") when it has one, else by the count.
        var named = java.util.regex.Pattern.compile("-(\\d+(?:\\.\\d+)?[BM])$").matcher(spec.displayName());
        var sizeLabel = named.find() ? named.group(1) : GgufModelMetadata.sizeLabel(plan.parameters);
        spec.architecture().writeGgufHyperParameters(writer, c, name, sizeLabel, fileType);
        writeTokenizer(spec, writer);
        GgufModelMetadata.writeQuantizationVersion(writer);
    }

    private static void writeTokenizer(SyntheticModelSpec spec, GgufWriter writer) {
        var vocabulary = SyntheticVocabulary.build(spec);
        writer.putString("tokenizer.ggml.model", "gpt2");
        writer.putString("tokenizer.ggml.pre", spec.architecture().tokenizerPreset(spec.config()));
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
    private static final class TensorPlan implements SyntheticTensors {
        private final GgufWriter writer;
        private final GgmlType type;
        private final long seed;
        private final short[] halfTable;
        private final short q8Scale = Float.floatToFloat16((float) (WEIGHT_STD / INT8_STD));
        private final short q4Scale = Float.floatToFloat16((float) (WEIGHT_STD / INT4_STD));
        // Q4_K: d·32·q − dmin·32 with dmin = 7.5·d centres q ∈ 0..15 on 0.
        private final short q4KScale = Float.floatToFloat16((float) (WEIGHT_STD / (K_SCALE * INT4_STD)));
        private final short q4KMin = Float.floatToFloat16(7.5f * Float.float16ToFloat(q4KScale));
        private final short q6KScale = Float.floatToFloat16((float) (WEIGHT_STD / (Q6_K_SCALE * INT6_STD)));
        private int index;
        long parameters;

        TensorPlan(GgufWriter writer, GgmlType type, long seed) {
            this.writer = writer;
            this.type = type;
            this.seed = seed;
            var random = new Random(seed);
            halfTable = new short[1 << F16_TABLE_BITS];
            for (int i = 0; i < halfTable.length; i++) {
                float value = (float) random.nextGaussian() * WEIGHT_STD;
                halfTable[i] = type == GgmlType.BF16 ? (short) (Float.floatToRawIntBits(value) >>> 16) : Float.floatToFloat16(value);
            }
        }

        private long streamSeed() {
            return seed * 0x9E3779B97F4A7C15L + (++index) * 0xBF58476D1CE4E5B9L;
        }

        @Override
        public GgmlType matrixType() {
            return type;
        }

        @Override
        public long parameters() {
            return parameters;
        }

        @Override
        public void matrix(String name, long... shape) {
            long elements = 1;
            for (long d : shape) elements *= d;
            parameters += elements;
            // A row the type's blocks do not divide (DeepSeek-V2-Lite's expert width 1408 in Q4_K) falls back to Q4_0.
            var type = shape[shape.length - 1] % this.type.blockSize() == 0 ? this.type : GgmlType.Q4_0;
            var random = new XorShift(streamSeed());
            long count = elements;
            writer.addTensor(name, type, shape.clone(), sink -> {
                switch (type) {
                    case Q8_0 -> writeBlocks(sink, count / 32, 34, out -> {
                        out.putShort(q8Scale);
                        putRandom(out, random, 4);
                    });
                    case Q4_0 -> writeBlocks(sink, count / 32, 18, out -> {
                        out.putShort(q4Scale);
                        putRandom(out, random, 2);
                    });
                    case Q4_K -> writeBlocks(sink, count / 256, 144, out -> {
                        q4KHeader(out);
                        putRandom(out, random, 16);
                    });
                    case Q6_K -> writeBlocks(sink, count / 256, 210, out -> {
                        putRandom(out, random, 24); // 128 bytes of low nibbles, 64 of high bit pairs
                        for (int k = 0; k < 16; k++) out.put((byte) Q6_K_SCALE);
                        out.putShort(q6KScale);
                    });
                    case F16, BF16 -> writeHalves(sink, count, random);
                    default -> throw new IllegalStateException("no synth writer for " + type);
                }
            });
        }

        @Override
        public void vector(String name, long length) {
            floatMatrix(name, length);
        }

        @Override
        public void floatMatrix(String name, long... shape) {
            long elements = 1;
            for (long d : shape) elements *= d;
            parameters += elements;
            var random = new Random(streamSeed());
            long count = elements;
            writer.addTensor(name, GgmlType.F32, shape.clone(), sink -> {
                for (long i = 0; i < count; i++) sink.reserve(4).putFloat((float) random.nextGaussian() * WEIGHT_STD);
            });
        }

        @Override
        public void values(String name, float[] values) {
            parameters += values.length;
            writer.addTensor(name, GgmlType.F32, new long[] {values.length}, sink -> {
                var out = sink.reserve(4 * values.length);
                for (float f : values) out.putFloat(f);
            });
        }

        @Override
        public void ones(String name, long length) {
            parameters += length;
            writer.addTensor(name, GgmlType.F32, new long[] {length}, sink -> {
                for (long i = 0; i < length; i++) sink.reserve(4).putFloat(1f);
            });
        }

        /** Q4_K's block header: d, dmin, then the 12 packed 6-bit scales and mins, all 32 (get_scale_min_k4's layout). */
        private void q4KHeader(ByteBuffer out) {
            out.putShort(q4KScale);
            out.putShort(q4KMin);
            // 32 = 0b10_0000: bytes 0-7 hold scale/min 0-3 in their low 6 bits and the top 2 bits (0b10) of 4-7;
            // bytes 8-11 hold the low nibbles of scale/min 4-7 (0).
            for (int i = 0; i < 8; i++) out.put((byte) (K_SCALE | (K_SCALE >> 4) << 6));
            out.putInt(0);
        }

        /** {@code blocks} blocks of {@code blockBytes}, each written by {@code block}, through the sink in batches. */
        private static void writeBlocks(TensorSink sink, long blocks, int blockBytes, Consumer<ByteBuffer> block)
                throws IOException {
            final int batch = 4096;
            for (long b = 0; b < blocks; b += batch) {
                int n = (int) Math.min(batch, blocks - b);
                var out = sink.reserve(n * blockBytes);
                for (int i = 0; i < n; i++) block.accept(out);
            }
        }

        private static void putRandom(ByteBuffer out, XorShift random, int longs) {
            for (int k = 0; k < longs; k++) out.putLong(random.next());
        }

        private void writeHalves(TensorSink sink, long elements, XorShift random) throws IOException {
            final int batch = 5 * 8192;
            int mask = (1 << F16_TABLE_BITS) - 1;
            for (long e = 0; e < elements; e += batch) {
                int n = (int) Math.min(batch, elements - e);
                var out = sink.reserve(2 * n);
                int i = 0;
                while (i < n) {
                    long r = random.next();
                    for (int k = 0; k < 5 && i < n; k++, i++) {
                        out.putShort(halfTable[(int) (r >>> (k * F16_TABLE_BITS)) & mask]);
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
