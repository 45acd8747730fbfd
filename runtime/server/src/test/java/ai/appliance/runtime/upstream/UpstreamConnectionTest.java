package ai.appliance.runtime.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The upstream's key is read once at start, from the environment or a file, and a missing one says where to look. */
class UpstreamConnectionTest {

    private static UpstreamSettings settings(String env, Path file) {
        return new UpstreamSettings("big", URI.create("http://127.0.0.1:9/v1"), null, env, file, null,
                Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofSeconds(30), 3, Duration.ofSeconds(30), null);
    }

    @Test
    void readsTheKeyFromTheEnvironmentOrTheFirstLineOfAFile(@TempDir Path dir) throws Exception {
        try (var fromEnv = UpstreamConnection.open(settings("UPSTREAM_KEY", null), Map.of("UPSTREAM_KEY", " sk-env ")::get)) {
            assertEquals("sk-env", fromEnv.apiKey());
            assertFalse(fromEnv.toString().contains("sk-env"), "the key never reaches a log line");
        }
        var file = Files.writeString(dir.resolve("key"), "sk-file\nignored\n");
        try (var fromFile = UpstreamConnection.open(settings(null, file), Map.<String, String>of()::get)) {
            assertEquals("sk-file", fromFile.apiKey());
        }
        try (var none = UpstreamConnection.open(settings(null, null), Map.<String, String>of()::get)) {
            assertNull(none.apiKey());
        }
    }

    @Test
    void aMissingKeyStopsStartWithOneLineNamingTheSetting(@TempDir Path dir) throws Exception {
        var unset = assertThrows(IllegalArgumentException.class,
                () -> UpstreamConnection.open(settings("UPSTREAM_KEY", null), Map.<String, String>of()::get));
        assertTrue(unset.getMessage().contains("api-key-env names UPSTREAM_KEY"), unset.getMessage());
        var missing = assertThrows(IllegalArgumentException.class,
                () -> UpstreamConnection.open(settings(null, dir.resolve("nope")), Map.<String, String>of()::get));
        assertTrue(missing.getMessage().contains("cannot read api-key-file"), missing.getMessage());
        var empty = Files.writeString(dir.resolve("empty"), "\n");
        var blank = assertThrows(IllegalArgumentException.class,
                () -> UpstreamConnection.open(settings(null, empty), Map.<String, String>of()::get));
        assertTrue(blank.getMessage().contains("is empty"), blank.getMessage());
    }
}
