package ai.appliance.runtime.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.runtime.cli.Main;
import ai.appliance.runtime.testing.Fixtures;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tokenize} and {@code template} run in-process through the real command tree. */
class CommandsTest {

    record Run(int exitCode, String out, String err) {
    }

    static Run run(String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        var cli = Main.newCommandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void tokenizePrintsIdsForFolderAndGguf(@TempDir Path dir) throws Exception {
        var folder = Fixtures.model("tiny-qwen2").toString();
        var r = run("tokenize", "--model", folder, "--text", "Hello world");
        assertEquals(0, r.exitCode(), r.err());
        assertEquals("{\"ids\":[39,68,272,78,358,265,75,67]}\n", r.out());
        var file = dir.resolve("in.txt");
        Files.writeString(file, "<think>\n");
        var g = run("tokenize", "--model", folder + "/tiny-qwen2-f16.gguf", "--file", file.toString());
        assertEquals("{\"ids\":[1205,198]}\n", g.out(), g.err());
    }

    @Test
    void templateRendersSingleTurnAndMessagesJson() {
        var folder = Fixtures.model("tiny-llama3").toString();
        var r = run("template", "--model", folder, "--system", "S", "--user", "温度?");
        assertEquals(0, r.exitCode(), r.err());
        assertEquals("<｜begin▁of▁sentence｜>S<｜User｜>温度?<｜Assistant｜><think>\n", r.out());
        var m = run("template", "--model", folder + "/tiny-llama3-f32.gguf", "--no-generation-prompt", "--messages",
                "[{\"role\":\"user\",\"content\":\"2+2?\"},{\"role\":\"assistant\",\"content\":\"<think>x</think>4\"}]");
        assertEquals("<｜begin▁of▁sentence｜><｜User｜>2+2?<｜Assistant｜>4<｜end▁of▁sentence｜>", m.out(), m.err());
    }

    @Test
    void templateReadsMessagesFromAFile(@TempDir Path dir) throws Exception {
        var file = dir.resolve("messages.json");
        Files.writeString(file, "[{\"role\":\"system\",\"content\":\"S\"},{\"role\":\"user\",\"content\":\"u\"}]");
        var r = run("template", "--model", Fixtures.model("tiny-qwen2").toString(), "--messages-file", file.toString());
        assertEquals("<｜begin▁of▁sentence｜>S<｜User｜>u<｜Assistant｜><think>\n", r.out(), r.err());
    }

    @Test
    void errorsAreOneLineAndNonZero() {
        var missing = run("tokenize", "--model", "/no/such/model.gguf", "--text", "x");
        assertEquals(1, missing.exitCode());
        assertTrue(missing.err().startsWith("error: /no/such/model.gguf") && missing.err().strip().lines().count() == 1, missing.err());
        var badJson = run("template", "--model", Fixtures.model("tiny-qwen2").toString(), "--messages", "{\"role\":1}");
        assertEquals(1, badJson.exitCode());
        assertTrue(badJson.err().startsWith("error: messages"), badJson.err());
        var noInput = run("tokenize", "--model", "x");
        assertTrue(noInput.exitCode() != 0);
    }
}
