package ai.appliance.runtime.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.sync.agent.AgentState;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sync agent's state files (docs/formats.md §8) as /metrics shows them. */
class SyncAgentGaugesTest {

    private static void writeState(Path store, AgentState state) throws Exception {
        var file = store.resolve("models").resolve(state.model()).resolve("agent-state.json");
        Files.createDirectories(file.getParent());
        Files.write(file, new ObjectMapper().writeValueAsBytes(state));
    }

    private static AgentState state(String model, String state, String offlineSince, long bytes) {
        return new AgentState(model, "v2", List.of("v1"), Map.of(), state, 1.0, null, offlineSince,
                "2026-01-02T03:04:05Z", null, "v2", null, null, "s3://models", bytes);
    }

    @Test
    void eachModelsStateFileBecomesAStateSetAnOfflineFlagAndAByteCounter(@TempDir Path store) throws Exception {
        var metrics = new ServingMetrics();
        metrics.syncAgent(store);
        writeState(store, state("qwen", "corrupt", "2026-01-02T03:00:00Z", 123_456));
        writeState(store, state("llama", "confirmed", null, 7));

        var text = metrics.scrape();
        assertEquals(1.0, Exposition.value(text, "appliance_sync_agent_state{model=\"qwen\",state=\"corrupt\"}"), text);
        assertEquals(0.0, Exposition.value(text, "appliance_sync_agent_state{model=\"qwen\",state=\"confirmed\"}"), text);
        assertEquals(1.0, Exposition.value(text, "appliance_sync_agent_state{model=\"llama\",state=\"confirmed\"}"), text);
        assertEquals(1.0, Exposition.value(text, "appliance_sync_agent_offline{model=\"qwen\"}"), text);
        assertEquals(0.0, Exposition.value(text, "appliance_sync_agent_offline{model=\"llama\"}"), text);
        assertEquals(1.767323045E9, Exposition.value(text, "appliance_sync_agent_last_check_timestamp_seconds{model=\"qwen\"}"), text);
        assertEquals(123456.0, Exposition.value(text, "appliance_sync_downloaded_bytes_total{model=\"qwen\"}"), text);

        writeState(store, state("qwen", "confirmed", null, 200_000));
        var later = metrics.scrape();
        assertEquals(0.0, Exposition.value(later, "appliance_sync_agent_state{model=\"qwen\",state=\"corrupt\"}"), later);
        assertEquals(200000.0, Exposition.value(later, "appliance_sync_downloaded_bytes_total{model=\"qwen\"}"),
                "the counter follows the file at each scrape: " + later);
    }

    @Test
    void aStoreWithoutAgentHasNoSyncSeries(@TempDir Path store) {
        var metrics = new ServingMetrics();
        metrics.syncAgent(store);
        assertFalse(metrics.scrape().contains("appliance_sync_agent_state{"), metrics.scrape());
    }
}
