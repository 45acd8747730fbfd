package ai.appliance.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.runtime.testing.Fixtures;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class BenchCommandTest {

    private record Outcome(int status, String out, String err) {
    }

    private static Outcome run(String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        var cli = Main.newCommandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int status = cli.execute(args);
        return new Outcome(status, out.toString(), err.toString());
    }

    @Test
    void jsonReportHasEveryTestAtEveryThreadCountWithMachineAndMemory() throws Exception {
        var model = Fixtures.model("tiny-qwen2").resolve("tiny-qwen2-q8_0.gguf");
        var outcome = run("bench", "-m", model.toString(), "-p", "8", "-n", "4", "-t", "1,2", "-r", "2", "--json");
        assertEquals(0, outcome.status(), outcome.err());
        var json = new ObjectMapper().readTree(outcome.out());
        assertEquals("tiny-qwen2-q8_0.gguf", json.path("model").asText());
        assertTrue(json.path("model_size").asLong() > 0);
        assertTrue(json.path("model_n_params").asLong() > 0);
        assertTrue(json.path("machine").path("physical_cores").asInt() >= 1);
        assertTrue(json.path("machine").path("memory_bytes").asLong() > 0);
        assertFalse(json.path("machine").path("cpu_info").asText().isBlank());
        assertTrue(json.path("load_to_first_token_ms").asDouble() > 0);
        assertTrue(json.path("peak_rss_bytes").asLong() > 0);
        // tiny-qwen2: 3 layers × (keys + values) × 2 KV heads × 32 dims × 4 bytes
        assertEquals(1536, json.path("kv_cache_bytes_per_token").asLong());
        assertEquals("cpu", json.path("backend").asText());
        var results = json.path("results");
        assertEquals(4, results.size());
        String[] expected = {"pp8/1", "tg4/1", "pp8/2", "tg4/2"};
        for (int i = 0; i < 4; i++) {
            var r = results.get(i);
            assertEquals(expected[i], r.path("test").asText() + "/" + r.path("n_threads").asInt());
            assertEquals(2, r.path("samples_ts").size());
            assertTrue(r.path("avg_ts").asDouble() > 0, r.toString());
            assertTrue(r.path("stddev_ts").asDouble() >= 0, r.toString());
        }
        long perToken = json.path("decode_bytes_per_token").asLong();
        assertTrue(perToken > 0 && perToken < json.path("model_size").asLong(), json.toString());
        for (int i = 0; i < 4; i++) {
            var r = results.get(i);
            boolean decode = r.path("n_gen").asInt() > 0;
            assertEquals(decode, r.has("read_bandwidth_bytes_per_s"), r.toString());
            if (decode) {
                assertTrue(r.path("read_bandwidth_bytes_per_s").asDouble() > 0, r.toString());
                assertEquals(perToken * r.path("avg_ts").asDouble() / r.path("read_bandwidth_bytes_per_s").asDouble(),
                        r.path("bandwidth_use").asDouble(), 1e-9, r.toString());
                double typical = r.path("read_bandwidth_typical_bytes_per_s").asDouble();
                assertTrue(typical > 0 && typical <= r.path("read_bandwidth_bytes_per_s").asDouble(), r.toString());
                assertEquals(perToken * r.path("avg_ts").asDouble() / typical, r.path("bandwidth_use_of_typical").asDouble(),
                        1e-9, r.toString());
            }
        }
        assertEquals(8, results.get(0).path("n_prompt").asInt());
        assertEquals(4, results.get(1).path("n_gen").asInt());
    }

    @Test
    void tableNamesTheTestsLikeLlamaBench() {
        var model = Fixtures.model("tiny-llama3").resolve("tiny-llama3-f16.gguf");
        var outcome = run("bench", "--model", model.toString(), "-p", "4", "-n", "2", "-r", "1", "-t", "1");
        assertEquals(0, outcome.status(), outcome.err());
        assertTrue(outcome.out().contains("| pp4 |"), outcome.out());
        assertTrue(outcome.out().contains("| tg2 |"), outcome.out());
        assertTrue(outcome.out().startsWith("CPU: "), outcome.out());
    }

    @Test
    void badArgumentsFailWithOneLine() {
        var model = Fixtures.model("tiny-qwen2").resolve("tiny-qwen2-q8_0.gguf");
        var nothing = run("bench", "-m", model.toString(), "-p", "0", "-n", "0");
        assertEquals(1, nothing.status());
        assertEquals(1, nothing.err().strip().lines().count(), nothing.err());
        assertTrue(nothing.err().contains("nothing to measure"), nothing.err());
        var tooLong = run("bench", "-m", model.toString(), "-p", "100000", "-n", "0");
        assertEquals(1, tooLong.status());
        assertTrue(tooLong.err().contains("context"), tooLong.err());
        var missing = run("bench", "-m", "/nonexistent/model.gguf");
        assertEquals(1, missing.status());
        assertTrue(missing.err().contains("/nonexistent/model.gguf"), missing.err());
    }
}
