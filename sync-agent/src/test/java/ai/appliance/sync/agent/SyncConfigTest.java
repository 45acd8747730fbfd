package ai.appliance.sync.agent;

import ai.appliance.sync.SyncException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class SyncConfigTest {
    @Test
    void readsSyncJsonWithDefaultsForWhatItLeavesOut(@TempDir Path root) throws Exception {
        Files.writeString(root.resolve("sync.json"), """
                { "stores": ["s3://models?endpoint=http://10.0.0.5:9000&pathStyle=true", "/mnt/usb/store"],
                  "models": [ { "name": "qwen2-1.5b" }, { "name": "llama3-8b", "channel": "canary" } ],
                  "deviceId": "box-0042", "pollInterval": "PT30S", "bandwidthBytesPerSecond": 1000000,
                  "mqtt": { "uri": "tcp://broker:1883", "group": "ward-3" } }
                """);
        var c = SyncConfig.load(root).orElseThrow();
        assertEquals(root, c.storeRoot());
        assertEquals(2, c.stores().size());
        assertEquals(List.of(new SyncConfig.ModelRef("qwen2-1.5b", "stable"), new SyncConfig.ModelRef("llama3-8b", "canary")), c.models());
        assertEquals(Duration.ofSeconds(30), c.pollInterval());
        assertEquals(Duration.ofMinutes(10), c.loadTimeout());
        assertEquals(2, c.keepVersions());
        assertEquals(1_000_000, c.bandwidthBytesPerSecond());
        assertEquals("ward-3", c.mqtt().group());
        assertEquals(root.resolve("trust/root.pub"), c.trustRoot());
    }

    @Test
    void absentFileMeansNoAgentAndABadOneSaysWhatIsWrong(@TempDir Path root) throws Exception {
        assertTrue(SyncConfig.load(root).isEmpty());
        Files.writeString(root.resolve("sync.json"), "{ \"models\": [ { \"name\": \"m\" } ] }");
        var e = assertThrows(SyncException.UsageError.class, () -> SyncConfig.load(root));
        assertTrue(e.getMessage().contains("'stores'"), e.getMessage());
    }
}
