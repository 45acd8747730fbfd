package ai.appliance.sync.fleet;

import ai.appliance.sync.agent.SyncAgent;
import ai.appliance.sync.agent.SyncConfig;
import ai.appliance.sync.contract.ModelSlot;
import ai.appliance.sync.store.FolderStore;
import ai.appliance.sync.testing.Mosquitto;
import ai.appliance.sync.testing.Release;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Staged rollout across a small fleet, woken by MQTT, reporting retained state; fleet status summarises. */
class MqttFleetTest {
    @TempDir Path tmp;

    @Test
    void stagedRolloutReachesAboutTwentyPercentAndFleetStatusSummarisesIt() throws Exception {
        try (var broker = new Mosquitto(tmp)) {
            var release = new Release(tmp.resolve("release"));
            var storeDir = Files.createDirectories(tmp.resolve("store"));
            var store = new FolderStore(storeDir);
            release.signRoot(store);
            var v1 = tmp.resolve("v1");
            Release.writeRandom(v1.resolve("w.bin"), 100_000, 1);
            release.publish(store, v1, "m", "v1");

            var agents = new ArrayList<SyncAgent>();
            try {
                for (int i = 0; i < 10; i++) {
                    var cfg = release.device(tmp.resolve("dev" + i), List.of(storeDir.toString()), "m").withDeviceId("box-" + i)
                            .withPollInterval(Duration.ofHours(1)).withMqtt(new SyncConfig.Mqtt(broker.uri(), "stable"));
                    agents.add(SyncAgent.builder().config(cfg).build().start());
                }
                waitFor(() -> agents.stream().allMatch(a -> "v1".equals(a.status().getFirst().active())), "all on v1");

                var v2 = tmp.resolve("v2");
                Release.writeRandom(v2.resolve("w.bin"), 100_000, 2);
                var r = release.publish(store, v2, "m", "v2", 20, Release.SMALL);
                Notifier.notify(broker.uri(), r.pointer()); // the poll interval is an hour: only MQTT can wake them
                long expected = java.util.stream.IntStream.range(0, 10)
                        .filter(i -> Rollout.choose(r.pointer(), "box-" + i).orElseThrow().version().equals("v2")).count();
                waitFor(() -> agents.stream().filter(a -> "v2".equals(a.status().getFirst().active())).count() == expected,
                        expected + " devices on v2");
                for (int i = 0; i < 10; i++) {
                    var want = Rollout.choose(r.pointer(), "box-" + i).orElseThrow().version();
                    assertEquals(want, ModelSlot.of(tmp.resolve("dev" + i), "m").active().orElseThrow().version());
                }
                Thread.sleep(300); // let the last retained reports land
                var summary = FleetStatus.collect(broker.uri(), "stable", Duration.ofMillis(800));
                assertEquals(10, summary.devices(), () -> "reports: " + summary.reports());
                assertEquals(expected, summary.byVersion().getOrDefault("v2", 0L));
                assertEquals(10 - expected, summary.byVersion().getOrDefault("v1", 0L));
            } finally {
                agents.forEach(SyncAgent::close);
            }
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) fail("timed out waiting for: " + what);
            Thread.sleep(50);
        }
    }
}
