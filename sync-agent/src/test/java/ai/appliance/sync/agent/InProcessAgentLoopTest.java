package ai.appliance.sync.agent;

import ai.appliance.sync.contract.ModelSlot;
import ai.appliance.sync.store.FolderStore;
import ai.appliance.sync.testing.Release;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.*;

/** What {@code serve} does: start the agent in-process, act as the runtime through ModelSlot, stop it. */
class InProcessAgentLoopTest {
    @Test
    void backgroundLoopInstallsConfirmsAndRollsBackOnItsOwn(@TempDir Path tmp) throws Exception {
        var release = new Release(tmp.resolve("release"));
        var storeDir = Files.createDirectories(tmp.resolve("store"));
        var store = new FolderStore(storeDir);
        release.signRoot(store);
        var v1 = tmp.resolve("v1");
        Release.writeRandom(v1.resolve("w.bin"), 100_000, 1);
        release.publish(store, v1, "m", "v1");
        var device = tmp.resolve("device");
        var slot = ModelSlot.of(device, "m");
        var config = release.device(device, List.of(storeDir.toString()), "m").withPollInterval(Duration.ofMillis(300));
        try (var agent = SyncAgent.builder().config(config).build().start()) {
            waitFor(() -> slot.active().isPresent(), "v1 installed");
            slot.reportLoaded(slot.active().orElseThrow().version());
            waitFor(() -> "confirmed".equals(agent.status().getFirst().state()), "v1 confirmed");

            var v2 = tmp.resolve("v2");
            Release.writeRandom(v2.resolve("w.bin"), 100_000, 2);
            release.publish(store, v2, "m", "v2");
            waitFor(() -> slot.active().map(a -> a.version().equals("v2")).orElse(false), "v2 activated");
            slot.reportFailed("v2", "tensor shape mismatch in layer 3");
            waitFor(() -> slot.active().map(a -> a.version().equals("v1")).orElse(false), "automatic rollback to v1");
            var s = agent.status().getFirst();
            assertTrue(s.lastError().contains("tensor shape mismatch"), s.lastError());
            assertTrue(s.bad().containsKey("v2"));
        }
        // close() released the lock: another agent may take over the store root.
        try (var again = SyncAgent.builder().config(config).build()) {
            assertEquals("v1", again.status().getFirst().active());
        }
    }

    private static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) fail("timed out waiting for: " + what);
            Thread.sleep(20);
        }
    }
}
