package ai.appliance.runtime.model;

import ai.appliance.runtime.arch.llama.LlamaWeights;
import ai.appliance.runtime.loading.ModelFiles;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.appliance.runtime.gguf.GgufFile;
import ai.appliance.runtime.tensor.Tensor;
import ai.appliance.runtime.testing.Fixtures;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Feeds truncated and bit-flipped copies of the fixtures' model files to the readers: each must
 * either load cleanly (every tensor readable) or fail with a {@link ModelFormatException} naming the file.
 * Anything else (another exception type, an error, a hang) fails the test.
 */
class CorruptModelFilesTest {
    private static final int FLIP_VARIANTS = 200;

    @TempDir
    Path dir;

    private int loaded;
    private int rejected;

    @ParameterizedTest
    @ValueSource(strings = {"tiny-qwen2/tiny-qwen2-q8_0.gguf", "tiny-llama3/tiny-llama3-f16.gguf"})
    void truncatedGgufFailsCleanly(String fixture) throws IOException {
        var copy = copy(Fixtures.path("models/" + fixture), "t.gguf");
        long dataOffset;
        try (var f = GgufFile.open(copy)) {
            dataOffset = f.dataOffset();
        }
        truncateProgressively(copy, cutPoints(Files.size(copy), dataOffset, 11), this::openModel);
        assertTrue(rejected > 100, "rejections: " + rejected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-qwen2/tiny-qwen2-q8_0.gguf", "tiny-llama3/tiny-llama3-q8_0.gguf"})
    void bitFlippedGgufHeaderFailsCleanly(String fixture) throws IOException {
        var copy = copy(Fixtures.path("models/" + fixture), "f.gguf");
        long dataOffset;
        long infoBytes = 0;
        try (var f = GgufFile.open(copy)) {
            dataOffset = f.dataOffset();
            for (var info : f.tensorInfos().values()) {
                infoBytes += 8 + info.name().getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 4 + 8L * info.shape().length + 4 + 8;
            }
        }
        long infoStart = Math.max(0, dataOffset - infoBytes - 32);
        flipRepeatedly(copy, new long[][] {{0, 512}, {infoStart, dataOffset}, {0, dataOffset}}, 1L + fixture.hashCode(), this::openModel);
        assertTrue(rejected > 0 && rejected + loaded == FLIP_VARIANTS, rejected + " rejected, " + loaded + " loaded");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ggml-vocab-llama-spm.gguf"})
    void truncatedVocabularyGgufFailsCleanly(String fixture) throws IOException {
        var copy = copy(Fixtures.path("vocab/" + fixture), "v.gguf");
        truncateProgressively(copy, cutPoints(Files.size(copy), Files.size(copy), 7), this::openGguf);
        assertEquals(1, loaded, "only the untouched file loads");
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-qwen2", "tiny-llama3"})
    void truncatedSafetensorsFailsCleanly(String fixture) throws IOException {
        var folder = checkpointCopy(fixture);
        var weights = folder.resolve("model.safetensors");
        truncateProgressively(weights, cutPoints(Files.size(weights), 8 + headerLength(weights), 7), this::openModel);
        assertEquals(1, loaded, "only the untouched file loads");
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-qwen2", "tiny-llama3"})
    void bitFlippedSafetensorsHeaderFailsCleanly(String fixture) throws IOException {
        var folder = checkpointCopy(fixture);
        var weights = folder.resolve("model.safetensors");
        long end = 8 + headerLength(weights);
        flipRepeatedly(weights, new long[][] {{0, 8}, {8, end}, {8, end}}, 7L + fixture.hashCode(), this::openModel);
        assertTrue(rejected > 0 && rejected + loaded == FLIP_VARIANTS, rejected + " rejected, " + loaded + " loaded");
    }

    private interface Opener {
        void open(Path p);
    }

    private void openModel(Path p) {
        var target = p.getFileName().toString().equals("model.safetensors") ? p.getParent() : p;
        try (var m = ModelFiles.open(target)) {
            touch(m.weights().tokenEmbedding());
            touch(((LlamaWeights) m.weights()).output());
            ((LlamaWeights) m.weights()).layers().forEach(l -> {
                touch(l.down());
                touch(l.query());
            });
        }
    }

    private void openGguf(Path p) {
        try (var f = GgufFile.open(p)) {
            f.tensors().values().forEach(CorruptModelFilesTest::touch);
            f.metadata().size();
        }
    }

    private static void touch(Tensor t) {
        long n = t.data().byteSize();
        if (n > 0) t.data().get(ValueLayout.JAVA_BYTE, n - 1);
    }

    private void expectCleanOutcome(Path p, Opener opener, String variant) {
        try {
            opener.open(p);
            loaded++;
        } catch (ModelFormatException e) {
            if (e.file() == null || e.getMessage().isBlank()) fail(variant + ": exception without file or message: " + e);
            rejected++;
        } catch (Throwable t) {
            throw new AssertionError(variant + ": expected ModelFormatException or a clean load, got " + t, t);
        }
    }

    /** Dense cut points through the header, sparse through the data, and the untouched length. */
    private static List<Long> cutPoints(long size, long headerEnd, int seed) {
        var cuts = new TreeSet<Long>();
        for (long c = 0; c < Math.min(64, size); c++) cuts.add(c);
        var random = new Random(seed);
        for (int i = 0; i < 120; i++) cuts.add((long) (random.nextDouble() * Math.min(headerEnd + 64, size)));
        for (int i = 0; i < 20; i++) cuts.add((long) (random.nextDouble() * size));
        cuts.add(size - 1);
        cuts.add(size);
        return new ArrayList<>(cuts.descendingSet());
    }

    /** Cuts the file shorter and shorter (cut points descending), opening it after each cut. */
    private void truncateProgressively(Path file, List<Long> descendingCuts, Opener opener) throws IOException {
        for (long cut : descendingCuts) {
            try (var ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ch.truncate(cut);
            }
            expectCleanOutcome(file, opener, file.getFileName() + " cut at " + cut);
        }
    }

    /** Flips 1 to 4 random bits per variant within the given regions (chosen in turn), then restores the bytes. */
    private void flipRepeatedly(Path file, long[][] regions, long seed, Opener opener) throws IOException {
        var random = new Random(seed);
        for (int v = 0; v < FLIP_VARIANTS; v++) {
            var region = regions[v % regions.length];
            int flips = 1 + random.nextInt(4);
            var positions = new long[flips];
            var original = new byte[flips];
            var description = new StringBuilder(file.getFileName() + " variant " + v + " flips");
            try (var ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                for (int i = 0; i < flips; i++) {
                    positions[i] = region[0] + (long) (random.nextDouble() * (region[1] - region[0]));
                    var b = ByteBuffer.allocate(1);
                    ch.read(b, positions[i]);
                    original[i] = b.get(0);
                    int bit = random.nextInt(8);
                    ch.write(ByteBuffer.wrap(new byte[] {(byte) (original[i] ^ (1 << bit))}), positions[i]);
                    description.append(' ').append(positions[i]).append(':').append(bit);
                }
            }
            expectCleanOutcome(file, opener, description.toString());
            try (var ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                for (int i = flips - 1; i >= 0; i--) ch.write(ByteBuffer.wrap(new byte[] {original[i]}), positions[i]);
            }
        }
    }

    private Path copy(Path source, String name) throws IOException {
        var target = dir.resolve(name);
        Files.copy(source, target);
        target.toFile().setWritable(true);
        return target;
    }

    private Path checkpointCopy(String fixture) throws IOException {
        var folder = Files.createDirectory(dir.resolve(fixture));
        var src = Fixtures.model(fixture);
        Files.copy(src.resolve("config.json"), folder.resolve("config.json"));
        Files.copy(src.resolve("model.safetensors"), folder.resolve("model.safetensors"));
        folder.resolve("model.safetensors").toFile().setWritable(true);
        return folder;
    }

    private static long headerLength(Path safetensors) throws IOException {
        try (var ch = FileChannel.open(safetensors)) {
            var b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(b, 0);
            return b.getLong(0);
        }
    }
}
