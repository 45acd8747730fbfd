package ai.appliance.runtime.metrics;

import ai.appliance.sync.agent.AgentState;
import ai.appliance.sync.contract.ModelSlot;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The sync agent's state as the server sees it in the store it shares with the agent: each model's
 * {@code agent-state.json} (docs/formats.md §8), re-read at every scrape. The agent is a separate process without an
 * HTTP port, so its files are the only source; a model without a state file has no agent and no series.
 */
final class SyncAgentGauges {

    /** Every state the agent writes (docs/formats.md §8): a state set, one series each, 1 for the current one. */
    static final List<String> STATES = List.of("idle", "offline", "downloading", "verifying", "activating",
            "awaiting-runtime", "confirmed", "unconfirmed", "rolled-back", "refused", "corrupt", "failed");

    private final MeterRegistry registry;
    private final Path storeRoot;
    private final ObjectMapper json = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private final MultiGauge state;
    private final MultiGauge offline;
    private final MultiGauge lastCheck;
    private final Map<String, AtomicLong> downloadedBytes = new ConcurrentHashMap<>();

    SyncAgentGauges(MeterRegistry registry, Path storeRoot) {
        this.registry = registry;
        this.storeRoot = storeRoot;
        state = MultiGauge.builder("appliance.sync.agent.state")
                .description("1 for the sync agent's current state of the model, 0 for the others").register(registry);
        offline = MultiGauge.builder("appliance.sync.agent.offline")
                .description("1 while no store answers the sync agent (offlineSince is set)").register(registry);
        lastCheck = MultiGauge.builder("appliance.sync.agent.last.check.timestamp.seconds")
                .description("When the sync agent last checked its stores for the model (Unix seconds)").register(registry);
    }

    synchronized void refresh() {
        var states = new ArrayList<MultiGauge.Row<?>>();
        var offlineRows = new ArrayList<MultiGauge.Row<?>>();
        var checkRows = new ArrayList<MultiGauge.Row<?>>();
        for (var s : read()) {
            var model = Tags.of("model", s.model());
            for (var name : STATES) {
                states.add(MultiGauge.Row.of(model.and("state", name), name.equals(s.state()) ? 1 : 0));
            }
            offlineRows.add(MultiGauge.Row.of(model, s.offlineSince() != null ? 1 : 0));
            var checked = epochSeconds(s.lastCheck());
            if (checked != null) {
                checkRows.add(MultiGauge.Row.of(model, checked));
            }
            downloadedBytes.computeIfAbsent(s.model(), m -> {
                var value = new AtomicLong();
                FunctionCounter.builder("appliance.sync.downloaded.bytes", value, AtomicLong::get).tags(model)
                        .description("Chunk bytes the sync agent fetched from stores for the model")
                        .register(registry);
                return value;
            }).set(s.bytesDownloaded());
        }
        state.register(states, true);
        offline.register(offlineRows, true);
        lastCheck.register(checkRows, true);
    }

    private List<AgentState> read() {
        var models = storeRoot.resolve("models");
        if (!Files.isDirectory(models)) {
            return List.of();
        }
        var out = new ArrayList<AgentState>();
        try (var folders = Files.list(models)) {
            for (var folder : (Iterable<Path>) folders::iterator) {
                var file = ModelSlot.of(storeRoot, folder.getFileName().toString()).folder().resolve("agent-state.json");
                if (!Files.isRegularFile(file)) {
                    continue;
                }
                try {
                    var s = json.readValue(file.toFile(), AgentState.class);
                    if (s.model() != null) {
                        out.add(s);
                    }
                } catch (IOException e) {
                    // The agent replaces the file atomically, so this is a broken file, not a half-written one;
                    // its series vanish until the agent writes it again.
                }
            }
        } catch (IOException e) {
            return List.of();
        }
        return out;
    }

    private static Long epochSeconds(String isoTime) {
        if (isoTime == null) {
            return null;
        }
        try {
            return Instant.parse(isoTime).getEpochSecond();
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
