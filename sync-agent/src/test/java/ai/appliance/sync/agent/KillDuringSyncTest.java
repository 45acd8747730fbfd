package ai.appliance.sync.agent;

import ai.appliance.sync.contract.ModelSlot;
import ai.appliance.sync.manifest.Manifest;
import ai.appliance.sync.store.FolderStore;
import ai.appliance.sync.testing.Release;
import ai.appliance.sync.trust.Envelope;
import ai.appliance.sync.util.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Acceptance: the agent in its own JVM is killed with SIGKILL at random points of download and of activation,
 * 20 times. After every kill the active version is a complete, verified one, and the restarted agent never
 * re-fetches a chunk that was already verified in its cache.
 */
class KillDuringSyncTest {
    private static final long MODEL_BYTES = 6L << 20;
    private static final long BANDWIDTH = 3L << 20; // ~1 s per update: room to land a kill mid-download

    @TempDir Path tmp;
    final Random random = new Random(20261123);

    @Test
    void activeVersionIsAlwaysCompleteAndRestartsResume() throws Exception {
        var release = new Release(tmp.resolve("release"));
        var storeDir = Files.createDirectories(tmp.resolve("store"));
        var store = new FolderStore(storeDir);
        release.signRoot(store);
        var model = tmp.resolve("src");
        Release.writeRandom(model.resolve("model.safetensors"), MODEL_BYTES, 1);
        int published = 1;
        release.publish(store, model, "m", "v1");
        var device = tmp.resolve("device");
        release.device(device, List.of(storeDir.toString()), "m");
        assertTrue(runChild(device, storeDir, -1, null).contains("DONE v1"));

        int killedInDownload = 0;
        int killedInActivation = 0;
        for (int i = 0; i < 20; i++) {
            var active = ModelSlot.of(device, "m").active().orElseThrow().version();
            if (active.equals("v" + published)) {
                // Always have an update pending: rewrite ~2 MB spread over the file.
                published++;
                for (int r = 0; r < 4; r++) {
                    Release.overwrite(model.resolve("model.safetensors"), random.nextLong(MODEL_BYTES - (512 << 10)), 512 << 10, published * 10L + r);
                }
                release.publish(store, model, "m", "v" + published);
            }
            var cachedBefore = cachedChunks(device);
            boolean inActivation = i % 2 == 1;
            var phase = inActivation ? "STATE verifying" : "STATE downloading";
            var delay = inActivation ? random.nextInt(40) : random.nextInt(300);
            var out = runChild(device, storeDir, delay, phase);
            if (out.contains("KILLED")) {
                if (inActivation) killedInActivation++; else killedInDownload++;
            }
            assertActiveIsComplete(device);
            var refetched = new HashSet<>(fetchedIn(i));
            refetched.retainAll(cachedBefore);
            assertEquals(Set.of(), refetched, "round " + i + ": re-fetched chunks that were already verified");
        }
        assertTrue(runChild(device, storeDir, -1, null).contains("DONE v" + published));
        assertActiveIsComplete(device);
        assertEquals("v" + published, ModelSlot.of(device, "m").active().orElseThrow().version());
        System.out.printf("kill -9 test: %d kills in download, %d in activation%n", killedInDownload, killedInActivation);
        assertTrue(killedInDownload >= 5, "kills landed in download: " + killedInDownload);
        assertTrue(killedInActivation >= 1, "kills landed in activation: " + killedInActivation);
    }

    private int round = -1;

    /** Runs the agent JVM; when {@code phase} is given, SIGKILLs it {@code delayMs} after that line appears. */
    private String runChild(Path device, Path storeDir, int delayMs, String phase) throws Exception {
        round++;
        var java = ProcessHandle.current().info().command().orElse("java");
        var pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                AgentChild.class.getName(), device.toString(), storeDir.toString(), fetchLog(round).toString(), String.valueOf(BANDWIDTH))
                .redirectErrorStream(true);
        var p = pb.start();
        var lines = new LinkedBlockingQueue<String>();
        var reader = Thread.ofVirtual().start(() -> {
            try (var r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) lines.add(line);
            } catch (java.io.IOException ignored) {
                // The child was killed: its pipe closes.
            }
        });
        var out = new StringBuilder();
        boolean killed = false;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (p.isAlive() || !lines.isEmpty()) {
            var line = lines.poll(50, TimeUnit.MILLISECONDS);
            if (line != null) {
                out.append(line).append('\n');
                if (phase != null && line.startsWith(phase) && !killed) {
                    Thread.sleep(delayMs);
                    boolean alive = p.isAlive();
                    p.destroyForcibly(); // SIGKILL on Linux: no shutdown hooks, no finally blocks
                    p.waitFor();
                    killed = true;
                    // Count only kills that hit a live agent; one that had already finished proves less.
                    out.append(alive ? "KILLED\n" : "FINISHED-BEFORE-KILL\n");
                }
            }
            if (System.nanoTime() > deadline) {
                p.destroyForcibly();
                fail("agent child hung:\n" + out);
            }
        }
        reader.join();
        if (!killed) assertEquals(0, p.waitFor(), () -> "child failed:\n" + out);
        return out.toString();
    }

    private Path fetchLog(int r) {
        return tmp.resolve("fetch-" + r + ".log");
    }

    private List<String> fetchedIn(int iteration) throws Exception {
        var f = fetchLog(round);
        return Files.exists(f) ? Files.readAllLines(f) : List.of();
    }

    private static Set<String> cachedChunks(Path device) throws Exception {
        var dir = device.resolve("cache/chunks");
        if (!Files.isDirectory(dir)) return Set.of();
        try (var s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".tmp")).collect(Collectors.toSet());
        }
    }

    private static void assertActiveIsComplete(Path device) throws Exception {
        var active = ModelSlot.of(device, "m").active().orElseThrow(() -> new AssertionError("no active version after a kill"));
        var manifestFile = device.resolve("models/m/manifests/" + active.version() + ".json");
        assertTrue(Files.exists(manifestFile), "manifest of active " + active.version() + " missing");
        var env = Envelope.parse(Files.readAllBytes(manifestFile), "m");
        var manifest = Json.read(env.payloadBytes("m"), Manifest.class, "m");
        assertEquals(List.of(), VersionFiles.problems(manifest, active.folder()), "active " + active.version() + " is not intact");
    }
}
