package ai.appliance.runtime.transformer;

import ai.appliance.runtime.arch.llama.LlamaWeights;
import ai.appliance.runtime.arch.llama.LlamaConfig;
import ai.appliance.runtime.arch.llama.LlamaTransformer;
import ai.appliance.runtime.testing.Reference;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.provisioning.pki.DeviceCredentials;
import ai.appliance.provisioning.pki.FleetCa;
import ai.appliance.provisioning.weights.DataKeyProvider;
import ai.appliance.provisioning.weights.DeviceDataKey;
import ai.appliance.provisioning.weights.EncryptedModelFile;
import ai.appliance.provisioning.weights.EncryptedWeightSource;
import ai.appliance.runtime.backend.CpuBackend;
import ai.appliance.runtime.cli.Main;
import ai.appliance.runtime.loading.ModelFiles;
import ai.appliance.runtime.model.ModelFormatException;
import ai.appliance.runtime.testing.Fixtures;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Weights encrypted at rest (provisioning's chunked AES-256-GCM format) load through the model loader and give the
 * same logits as the plain file, bit for bit; a flipped byte is refused before any weight is used.
 */
class EncryptedModelLoadingTest {

    @TempDir
    Path tmp;
    private Path deviceDir;
    private DataKeyProvider keys;

    @BeforeEach
    void enroll() {
        var ca = FleetCa.init(tmp.resolve("ca"), "Test Fleet CA", Clock.systemUTC());
        deviceDir = tmp.resolve("device");
        new DeviceCredentials(deviceDir).enroll(ca, "edge-1", "edge", List.of(), List.of());
        keys = DataKeyProvider.forDevice(new DeviceCredentials(deviceDir));
    }

    private Path encrypt(Path plain) {
        var key = DeviceDataKey.loadOrCreate(deviceDir);
        var enc = tmp.resolve(plain.getFileName() + ".enc");
        EncryptedModelFile.encrypt(plain, enc, key.key(), key.wrapped(), 64 << 10, 2, b -> { });
        return enc;
    }

    private static float[] logits(ModelFiles files, int[] ids) {
        try (var transformer = new LlamaTransformer((LlamaConfig) files.config(), (LlamaWeights) files.weights(), new CpuBackend(2), 16);
             var sequence = transformer.newSequence(ids.length + 1)) {
            return transformer.forward(List.of(sequence), List.of(ids))[0];
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-qwen2", "tiny-llama3"})
    void encryptedQ8_0ModelGivesTheSameLogitsAsThePlainOne(String model) {
        var plain = Fixtures.model(model).resolve(model + "-q8_0.gguf");
        var enc = encrypt(plain);
        var reference = Reference.load(model, "q8_0_weights");
        try (var plainFiles = ModelFiles.open(plain); var encryptedFiles = ModelFiles.open(enc, EncryptedWeightSource.withKeys(keys))) {
            var a = (LlamaConfig) plainFiles.config();
            var b = (LlamaConfig) encryptedFiles.config();
            assertEquals(a.architecture(), b.architecture());
            assertEquals(a.vocabularySize(), b.vocabularySize());
            assertEquals(a.layerCount(), b.layerCount());
            assertEquals(a.keyValueHeadCount(), b.keyValueHeadCount());
            assertArrayEquals(a.ropeFrequencyFactors(), b.ropeFrequencyFactors());
            for (var prompt : reference.prompts()) {
                var expected = logits(plainFiles, prompt.inputIds());
                var actual = logits(encryptedFiles, prompt.inputIds());
                // Same weights, same kernels: equal up to float rounding. (Not bit-equal: the engine's own results
                // move by up to ~1e-5 between runs as the JIT recompiles them, plain against plain included.)
                for (int i = 0; i < actual.length; i++) {
                    assertEquals(expected[i], actual[i], 1e-4, "logit " + i + " of " + Arrays.toString(prompt.inputIds()));
                    assertEquals(prompt.lastLogits()[i], actual[i], 1e-3, "reference logit " + i);
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {300, 500_000, -1})
    void aFlippedByteIsRefusedWithTheFileNamed(long offset) throws Exception {
        var plain = Fixtures.model("tiny-qwen2").resolve("tiny-qwen2-q8_0.gguf");
        var enc = encrypt(plain);
        try (var f = new RandomAccessFile(enc.toFile(), "rw")) {
            long at = offset < 0 ? f.length() - 1 : offset;
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x20);
        }
        var e = assertThrows(ModelFormatException.class, () -> ModelFiles.open(enc, EncryptedWeightSource.withKeys(keys)));
        assertEquals(enc, e.file());
        assertTrue(e.getMessage().contains("fails authentication"), e.getMessage());
    }

    @org.junit.jupiter.api.Test
    void anEncryptedFileWithoutCredentialsIsRefusedWithAHint() {
        var enc = encrypt(Fixtures.model("tiny-qwen2").resolve("tiny-qwen2-q8_0.gguf"));
        var e = assertThrows(ModelFormatException.class, () -> ModelFiles.open(enc, EncryptedWeightSource.withoutKeys()));
        assertTrue(e.getMessage().contains("--device-dir"), e.getMessage());
    }

    @org.junit.jupiter.api.Test
    void logitsCommandDecryptsWithDeviceDir() throws Exception {
        var plain = Fixtures.model("tiny-llama3").resolve("tiny-llama3-q8_0.gguf");
        var enc = encrypt(plain);
        var prompt = Reference.load("tiny-llama3", "q8_0_weights").prompts().getFirst();
        var ids = String.join(",", Arrays.stream(prompt.inputIds()).mapToObj(Integer::toString).toList());
        var out = new StringWriter();
        var err = new StringWriter();
        var cli = Main.newCommandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
        assertEquals(0, cli.execute("logits", "--model", enc.toString(), "--device-dir", deviceDir.toString(),
                "--ids", ids, "--threads", "2"), err.toString());
        var values = new ObjectMapper().readValue(out.toString(), float[].class);
        try (var files = ModelFiles.open(plain)) {
            var expected = logits(files, prompt.inputIds());
            assertEquals(expected.length, values.length);
            for (int i = 0; i < values.length; i++) assertEquals(expected[i], values[i], 1e-4, "logit " + i);
        }
    }
}
