package ai.appliance.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.runtime.testing.Fixtures;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuantizeCommandTest {
    @TempDir
    Path dir;

    private String[] run(String... args) {
        var err = new StringWriter();
        var cli = Main.newCommandLine();
        cli.setOut(new PrintWriter(new StringWriter()));
        cli.setErr(new PrintWriter(err));
        return new String[] {String.valueOf(cli.execute(args)), err.toString()};
    }

    @Test
    void checkpointWithoutTokenizerFailsNamingTheFileAndWritesNothing() throws Exception {
        var folder = Files.createDirectory(dir.resolve("no-tokenizer"));
        for (var f : new String[] {"config.json", "model.safetensors"}) Files.copy(Fixtures.model("tiny-qwen2").resolve(f), folder.resolve(f));
        var out = dir.resolve("out.gguf");
        var r = run("quantize", "--model", folder.toString(), "--out", out.toString());
        assertEquals("1", r[0]);
        assertTrue(r[1].contains("tokenizer.json") && r[1].strip().lines().count() == 1, r[1]);
        assertFalse(Files.exists(out));
        try (var left = Files.list(dir)) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().endsWith(".partial")), "no partial files left behind");
        }
    }

    @Test
    void missingModelFailsWithOneLine() {
        var r = run("quantize", "--model", dir.resolve("nothing-here").toString(), "--out", dir.resolve("x.gguf").toString());
        assertEquals("1", r[0]);
        assertTrue(r[1].contains("nothing-here") && r[1].contains("no such file or folder"), r[1]);
    }

    @Test
    void unwritableOutputFailsWithOneLine() throws Exception {
        var file = Files.writeString(dir.resolve("a-file"), "x");
        var r = run("quantize", "--model", Fixtures.model("tiny-qwen2").toString(), "--out", file.resolve("x.gguf").toString());
        assertEquals("1", r[0]);
        assertTrue(r[1].startsWith("quantize: cannot write") && r[1].strip().lines().count() == 1, r[1]);
        r = run("quantize", "--model", Fixtures.model("tiny-qwen2").toString(), "--out", dir.toString());
        assertEquals("2", r[0]);
        assertEquals("quantize: " + dir + " is a folder; give a file name", r[1].strip());
    }

    @Test
    void anExistingOutputIsReplacedOnlyWithForce() throws Exception {
        var out = Files.writeString(dir.resolve("model.gguf"), "the model this site runs on");
        var model = Fixtures.model("tiny-qwen2").toString();
        var r = run("quantize", "--model", model, "--out", out.toString());
        assertEquals("2", r[0]);
        assertEquals("quantize: " + out + " exists; pass --force to replace it", r[1].strip());
        r = run("synth", "--model", "deepseek-r1-distill-qwen-1.5b", "--out", out.toString());
        assertEquals("2", r[0]);
        assertEquals("synth: " + out + " exists; pass --force to replace it", r[1].strip());
        assertEquals("the model this site runs on", Files.readString(out));
        r = run("quantize", "--model", model, "--out", out.toString(), "--force");
        assertEquals("0", r[0], r[1]);
        try (var in = Files.newInputStream(out)) {
            assertEquals("GGUF", new String(in.readNBytes(4), java.nio.charset.StandardCharsets.US_ASCII));
        }
    }

    @Test
    void deepSeekFp8CheckpointBecomesQ4KAndLlamaCheckpointsRefuseIt() throws Exception {
        var out = dir.resolve("v3-q4k.gguf");
        var r = run("quantize", "--model", Fixtures.model("tiny-deepseek-v3-fp8").toString(), "--type", "q4_k", "--out", out.toString());
        assertEquals("0", r[0], r[1]);
        try (var files = ai.appliance.runtime.loading.ModelFiles.open(out)) {
            assertEquals("deepseek2", files.config().architecture());
            assertEquals(ai.appliance.runtime.tensor.GgmlType.Q4_K, files.tensors().optional("blk.0.ffn_down.weight").type());
        }
        r = run("quantize", "--model", Fixtures.model("tiny-qwen2").toString(), "--type", "q4_k", "--out", dir.resolve("q.gguf").toString());
        assertEquals("1", r[0]);
        assertTrue(r[1].contains("Q8_0 only"), r[1]);
        assertEquals("2", run("quantize", "--model", Fixtures.model("tiny-qwen2").toString(), "--type", "q3_k", "--out",
                dir.resolve("q.gguf").toString())[0]);
    }

    @Test
    void synthRejectsUnknownModelAndType() {
        assertEquals("2", run("synth", "--model", "gpt-5", "--out", dir.resolve("a.gguf").toString())[0]);
        assertEquals("2", run("synth", "--model", "deepseek-r1-distill-qwen-1.5b", "--type", "q5_k", "--out", dir.resolve("a.gguf").toString())[0]);
        assertEquals("2", run("synth", "--model", "deepseek-r1-distill-qwen-1.5b", "--layers", "99", "--out", dir.resolve("a.gguf").toString())[0]);
    }
}
