package ai.appliance.runtime.transformer;

import ai.appliance.runtime.testing.Reference;
import ai.appliance.runtime.testing.ReferenceChecks;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.appliance.runtime.cli.Main;
import ai.appliance.runtime.testing.Fixtures;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** `appliance quantize` of each fixture's F32 safetensors gives a Q8_0 GGUF that matches the q8_0_weights reference. */
class QuantizedCheckpointTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"tiny-qwen2", "tiny-llama3"})
    void quantizedSafetensorsMatchTheQ8_0Reference(String model) {
        var out = dir.resolve(model + "-q8_0.gguf");
        var err = new StringWriter();
        var cli = Main.newCommandLine();
        cli.setOut(new PrintWriter(new StringWriter()));
        cli.setErr(new PrintWriter(err));
        assertEquals(0, cli.execute("quantize", "--model", Fixtures.model(model).toString(), "--out", out.toString()), err.toString());
        ReferenceChecks.assertMatchesReference(out, Reference.load(model, "q8_0_weights"), 1e-3);
    }
}
