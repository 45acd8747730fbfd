package ai.appliance.sync.store;

import ai.appliance.sync.SyncException;
import ai.appliance.sync.testing.Release;
import ai.appliance.sync.testing.S3Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

class S3StoreTest {
    static S3Server server;

    @BeforeAll
    static void start() throws Exception {
        server = new S3Server();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    @Test
    void roundTripsSmallObjectsRangedReadsAndListsUnderAPrefix(@TempDir Path tmp) {
        var uri = server.bucket("basic").replace("s3://basic?", "s3://basic/site-a?");
        try (var s3 = StoreUris.open(uri)) {
            s3.put("chunks/ab/abc", "hello world".getBytes(StandardCharsets.UTF_8));
            assertEquals("hello world", new String(s3.get("chunks/ab/abc").orElseThrow(), StandardCharsets.UTF_8));
            assertEquals("world", new String(s3.getFrom("chunks/ab/abc", 6), StandardCharsets.UTF_8));
            assertEquals(11, s3.size("chunks/ab/abc").orElseThrow());
            assertTrue(s3.get("chunks/none").isEmpty());
            assertFalse(s3.exists("chunks/none"));
            assertEquals(java.util.List.of("chunks/ab/abc"), s3.list("chunks/"));
        }
    }

    @Test
    void uploadsLargeFilesInPartsByteForByte(@TempDir Path tmp) throws Exception {
        var file = tmp.resolve("big.bin");
        Release.writeRandom(file, 20L << 20, 5); // > 8 MiB: multipart with 3 parts
        try (var s3 = StoreUris.open(server.bucket("multipart"))) {
            s3.put("chunks/big", file);
            assertArrayEquals(Files.readAllBytes(file), s3.get("chunks/big").orElseThrow());
            var tail = s3.getFrom("chunks/big", (20L << 20) - 100);
            assertTrue(Arrays.equals(Arrays.copyOfRange(Files.readAllBytes(file), (20 << 20) - 100, 20 << 20), tail));
            // A 12 MiB chunk held in memory goes up in parts too.
            var chunk = Arrays.copyOf(Files.readAllBytes(file), 12 << 20);
            server.resetCounters();
            s3.put("chunks/mem", chunk);
            assertTrue(server.puts.get() > 1, "uploaded in parts, not one PUT: " + server.puts.get());
            assertArrayEquals(chunk, s3.get("chunks/mem").orElseThrow());
        }
    }

    @Test
    void reportsAnUnreachableEndpointAsStoreUnavailable() {
        try (var s3 = StoreUris.open("s3://x?endpoint=http://127.0.0.1:1&pathStyle=true")) {
            var e = assertThrows(SyncException.StoreUnavailable.class, () -> s3.get("root.json"));
            assertTrue(e.getMessage().contains("unreachable"), e.getMessage());
        }
    }
}
