package ai.appliance.sync.hf;

import ai.appliance.sync.SyncException;
import ai.appliance.sync.util.Json;
import ai.appliance.sync.util.Sha256;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** Against a local server answering the hub's documented endpoints (tree listing, resolve with a CDN redirect). */
class HuggingFaceSourceTest {
    HttpServer server;
    final Map<String, byte[]> served = new HashMap<>();
    byte[] weights;
    byte[] config;

    @BeforeEach
    void start() throws Exception {
        weights = new byte[300_000];
        new Random(3).nextBytes(weights);
        config = "{\"model_type\":\"qwen2\"}".getBytes(StandardCharsets.UTF_8);
        served.put("model.safetensors", weights);
        served.put("config.json", config);
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/models/org/tiny/tree/main", ex -> {
            assertEquals("recursive=true", ex.getRequestURI().getQuery());
            var tree = List.of(
                    Map.of("type", "file", "path", ".gitattributes", "size", 10, "oid", "0".repeat(40)),
                    Map.of("type", "file", "path", "config.json", "size", config.length, "oid", HuggingFaceSource.gitBlobSha1(write(config))),
                    Map.of("type", "file", "path", "model.safetensors", "size", 134, "oid", "1".repeat(40),
                            "lfs", Map.of("oid", Sha256.hex(weights), "size", weights.length, "pointerSize", 134)),
                    Map.of("type", "directory", "path", "onnx", "size", 0, "oid", "2".repeat(40)));
            var body = Json.write(tree);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.createContext("/org/tiny/resolve/main/", ex -> {
            var name = ex.getRequestURI().getPath().substring("/org/tiny/resolve/main/".length());
            ex.getResponseHeaders().add("Location", "/cdn/" + name);
            ex.sendResponseHeaders(302, -1);
            ex.close();
        });
        server.createContext("/cdn/", ex -> {
            var body = served.get(ex.getRequestURI().getPath().substring(5));
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
    }

    private static Path write(byte[] data) throws java.io.IOException {
        var f = Files.createTempFile("blob", ".bin");
        Files.write(f, data);
        return f;
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private HuggingFaceSource source() {
        return HuggingFaceSource.parse("hf:org/tiny@main?endpoint=http://127.0.0.1:" + server.getAddress().getPort(), null);
    }

    @Test
    void downloadsEveryFileVerifiedAgainstTheHubListing(@TempDir Path tmp) throws Exception {
        var files = source().download(tmp, (d, t) -> {});
        assertEquals(List.of("config.json", "model.safetensors"), files.stream().map(HuggingFaceSource.HubFile::path).toList());
        assertArrayEquals(weights, Files.readAllBytes(tmp.resolve("model.safetensors")));
        assertArrayEquals(config, Files.readAllBytes(tmp.resolve("config.json")));
        assertFalse(Files.exists(tmp.resolve(".gitattributes")));
    }

    @Test
    void refusesAFileWhoseBytesDoNotMatchItsLfsPointer(@TempDir Path tmp) {
        var tampered = weights.clone();
        tampered[1000] ^= 1;
        served.put("model.safetensors", tampered);
        var e = assertThrows(SyncException.IntegrityFailure.class, () -> source().download(tmp, (d, t) -> {}));
        assertTrue(e.getMessage().contains("LFS pointer"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("model.safetensors")));
    }
}
