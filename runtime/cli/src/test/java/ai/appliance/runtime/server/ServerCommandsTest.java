package ai.appliance.runtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.runtime.cli.Main;
import ai.appliance.runtime.security.ApiKeyStore;
import ai.appliance.runtime.testing.Fixtures;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** serve, apikey and bench-serve as the CLI runs them. */
class ServerCommandsTest {

    private record Run(int exit, String out, String err) { }

    private static Run run(String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        var cli = Main.newCommandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void serveWithABadConfigExitsWithOneLineError() throws Exception {
        var missing = run("serve", "--config", "/nonexistent/appliance.yaml");
        assertEquals(1, missing.exit());
        assertTrue(missing.err().startsWith("serve: config file /nonexistent/appliance.yaml does not exist"), missing.err());
        assertEquals(1, missing.err().strip().lines().count());

        var dir = Files.createTempDirectory("serve-cmd");
        var broken = Files.writeString(dir.resolve("broken.yaml"), "server: [1,2\n");
        var notYaml = run("serve", "--config", broken.toString());
        assertEquals(1, notYaml.exit());
        assertEquals(1, notYaml.err().strip().lines().count(), "one line: " + notYaml.err());
        assertTrue(notYaml.err().contains("(line 1, column 9)"), notYaml.err());
    }

    @Test
    void serveOnTheNetworkWithoutSecurityIsRefusedBeforeAnyModelLoads() throws Exception {
        var dir = Files.createTempDirectory("serve-cmd");
        var config = dir.resolve("a.yaml");
        // A model that cannot load: were it loaded first, its error would be the one reported.
        var model = Files.writeString(dir.resolve("not-a-model.gguf"), "not a gguf");
        Files.writeString(config, "server:\n  host: 0.0.0.0\n  port: 0\nmqtt:\n  enabled: false\ngrpc:\n  enabled: false\n"
                + "models:\n  - path: " + model + "\n");
        var open = run("serve", "--config", config.toString(), "--store", dir.resolve("store").toString());
        assertEquals(1, open.exit());
        assertTrue(open.err().startsWith("serve: server.host is 0.0.0.0"), open.err());
        assertTrue(open.err().contains("security is off"), open.err());
        assertEquals(1, open.err().strip().lines().count(), open.err());
    }

    @Test
    void serveOnATakenPortExitsWithOneLineErrorInsteadOfServingWithoutRest() throws Exception {
        var dir = Files.createTempDirectory("serve-port");
        try (var taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            var config = dir.resolve("a.yaml");
            Files.writeString(config, "server:\n  host: 127.0.0.1\n  port: " + port + "\nmqtt:\n  enabled: false\n"
                    + "grpc:\n  enabled: false\nmodels:\n  - path: "
                    + Fixtures.model("tiny-qwen2").resolve("tiny-qwen2-q8_0.gguf") + "\n");
            // Before the fix, Helidon logged the failed bind and serve ran on without REST, waiting for a signal.
            var r = assertTimeoutPreemptively(Duration.ofSeconds(60),
                    () -> run("serve", "--config", config.toString(), "--store", dir.resolve("store").toString()));
            assertEquals(1, r.exit());
            assertTrue(r.err().startsWith("serve: cannot start the HTTP server on 127.0.0.1:" + port + ": "), r.err());
            assertTrue(r.err().strip().endsWith("(set server.port, or --port)"), r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
        }
    }

    @Test
    void benchServeAgainstAnUnreachableServerFailsWithOneLine() throws Exception {
        int closed;
        try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        var r = run("bench-serve", "--url", "http://127.0.0.1:" + closed, "--streams", "1", "--max-tokens", "4");
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("bench-serve: cannot connect to http://127.0.0.1:" + closed), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }

    @Test
    void apikeyPrintsTheKeyOnceAndOnlyItsHashForTheConfig() {
        var r = run("apikey", "--name", "line-7", "--role", "developer");
        assertEquals(0, r.exit());
        var key = r.out().lines().filter(l -> l.startsWith("key (shown once): ")).findFirst().orElseThrow()
                .substring("key (shown once): ".length());
        assertTrue(r.out().contains("hash: sha256:" + ApiKeyStore.sha256Hex(key)));
        assertTrue(r.out().contains("role: developer"));
        assertEquals(2, run("apikey", "--name", "x", "--role", "wizard").exit());
    }

    @Test
    void benchServeReportsTheMedianTokensPerSecondOfEachStreamCount() {
        var model = Fixtures.model("tiny-qwen2").resolve("tiny-qwen2-q8_0.gguf").toString();
        var r = run("bench-serve", "--model", model, "--streams", "1,2", "--max-tokens", "4", "--threads", "1", "-r", "2");
        assertEquals(0, r.exit(), r.err());
        var lines = r.out().lines().toList();
        assertTrue(lines.get(0).startsWith("prompt ") && lines.get(0).contains("up to 4 generated per stream")
                && lines.get(0).contains("median of 2 sweeps"), r.out());
        assertTrue(lines.get(1).contains("tokens/s") && lines.get(1).contains("ttft(s)") && lines.get(1).contains("decode tokens/s"), r.out());
        var rows = lines.subList(2, lines.size());
        assertEquals(2, rows.size(), r.out());
        assertTrue(rows.get(0).trim().startsWith("1 "), r.out());
        assertTrue(rows.get(1).trim().startsWith("2 "), r.out());
        // streams, tokens, seconds, tokens/s, vs-1, ttft, decode tokens/s, vs-1, cached prompt tokens
        var cells = rows.get(1).trim().split("\\s+");
        assertEquals(9, cells.length, rows.get(1));
        assertEquals("0", cells[8], "a 27-token prompt fills no 32-token block: " + rows.get(1));
        assertEquals("8", cells[1], "2 streams x 4 tokens: " + rows.get(1));
        assertTrue(Double.parseDouble(cells[5]) > 0 && Double.parseDouble(cells[6]) > 0, rows.get(1));
        assertEquals(2, run("bench-serve").exit());
        assertEquals(2, run("bench-serve", "--model", model, "-r", "0").exit());
    }

    @Test
    void benchServeWithASharedSystemPromptReusesItUnlessThePrefixCacheIsOff() {
        var model = Fixtures.model("tiny-qwen2").resolve("tiny-qwen2-q8_0.gguf").toString();
        for (var cache : new String[] {"on", "off"}) {
            var r = run("bench-serve", "--model", model, "--streams", "2", "--max-tokens", "2", "--threads", "1",
                    "--system-tokens", "200", "--prefix-cache", cache);
            assertEquals(0, r.exit(), r.err());
            var lines = r.out().lines().toList();
            int prompt = Integer.parseInt(lines.get(0).split(" ")[1]);
            assertTrue(prompt > 200 && prompt < 260, "200 system tokens and the template's: " + lines.get(0));
            var cells = lines.get(2).trim().split("\\s+");
            if (cache.equals("on")) {
                double cached = Double.parseDouble(cells[8]);
                assertTrue(cached >= (200 / 32) * 32 && cached < prompt, "at least the system prompt's full blocks: " + r.out());
            } else {
                assertEquals("0", cells[8], r.out());
            }
        }
        assertEquals(2, run("bench-serve", "--model", model, "--prefix-cache", "maybe").exit());
    }
}
