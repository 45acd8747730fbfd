package ai.appliance.sync.agent;

import ai.appliance.sync.contract.ModelSlot;
import ai.appliance.sync.manifest.Manifest;
import ai.appliance.sync.publish.RootSigner;
import ai.appliance.sync.store.FolderStore;
import ai.appliance.sync.store.StoreKeys;
import ai.appliance.sync.testing.Release;
import ai.appliance.sync.trust.Ed25519;
import ai.appliance.sync.trust.Envelope;
import ai.appliance.sync.util.Json;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Every tamper case of the issue is refused with a clear error, and nothing is activated. */
class TamperRefusalTest {
    @TempDir Path tmp;
    Release release;
    FolderStore store;
    Path storeDir;
    Path device;

    @BeforeEach
    void installV1() throws Exception {
        release = new Release(tmp.resolve("release"));
        storeDir = Files.createDirectories(tmp.resolve("store"));
        store = new FolderStore(storeDir);
        release.signRoot(store);
        var v1 = tmp.resolve("v1");
        Release.writeRandom(v1.resolve("w.bin"), 300_000, 1);
        release.publish(store, v1, "m", "v1");
        device = tmp.resolve("device");
        try (var agent = agent(Clock.systemUTC())) {
            assertEquals("v1", agent.runOnce().getFirst().active());
        }
        var v2 = tmp.resolve("v2");
        Release.writeRandom(v2.resolve("w.bin"), 300_000, 2);
        release.publish(store, v2, "m", "v2");
    }

    private SyncAgent agent(Clock clock) throws Exception {
        return SyncAgent.builder().config(release.device(device, List.of(storeDir.toString()), "m")).clock(clock).build();
    }

    private AgentState syncExpectingRefusal(Clock clock, String errorPart) throws Exception {
        try (var agent = agent(clock)) {
            var s = agent.runOnce().getFirst();
            assertEquals("v1", s.active(), () -> "must not activate: " + s);
            assertEquals("v1", ModelSlot.of(device, "m").active().orElseThrow().version());
            assertEquals("refused", s.state(), () -> "state " + s);
            assertNotNull(s.lastError());
            assertTrue(s.lastError().contains(errorPart), () -> "error '" + s.lastError() + "' should mention '" + errorPart + "'");
            return s;
        }
    }

    private Path manifestFile() {
        return storeDir.resolve(StoreKeys.manifest("m", "v2"));
    }

    @Test
    void refusesManifestWhosePayloadWasAltered() throws Exception {
        var env = Envelope.parse(Files.readAllBytes(manifestFile()), "m");
        var payload = new String(env.payloadBytes("m"), StandardCharsets.UTF_8).replace("\"serial\":2", "\"serial\":3");
        var forged = new Envelope(env.payloadType(), java.util.Base64.getEncoder().encodeToString(payload.getBytes(StandardCharsets.UTF_8)), env.signatures());
        Files.write(manifestFile(), forged.toJson());
        // The channel pins the manifest hash, so the swap is caught before the signature is even checked.
        syncExpectingRefusal(Clock.systemUTC(), "SHA-256 differs");
    }

    @Test
    void refusesChannelSignedByAnUnknownKey() throws Exception {
        var intruder = Ed25519.generate(new SecureRandom());
        var key = StoreKeys.channel("m", "stable");
        var env = Envelope.parse(Files.readAllBytes(storeDir.resolve(key)), key);
        Files.write(storeDir.resolve(key), Envelope.sign(env.payloadType(), env.payloadBytes(key), intruder).toJson());
        syncExpectingRefusal(Clock.systemUTC(), "no trusted key");
    }

    @Test
    void refusesChannelWithBrokenSignature() throws Exception {
        var key = StoreKeys.channel("m", "stable");
        var env = Envelope.parse(Files.readAllBytes(storeDir.resolve(key)), key);
        var payload = new String(env.payloadBytes(key), StandardCharsets.UTF_8).replace("\"rolloutPercent\":100", "\"rolloutPercent\":99");
        Files.write(storeDir.resolve(key), new Envelope(env.payloadType(),
                java.util.Base64.getEncoder().encodeToString(payload.getBytes(StandardCharsets.UTF_8)), env.signatures()).toJson());
        syncExpectingRefusal(Clock.systemUTC(), "signature does not verify");
    }

    @Test
    void refusesRootSignedByAnotherRootKey() throws Exception {
        var otherRoot = Ed25519.generate(new SecureRandom());
        store.put(StoreKeys.ROOT, RootSigner.sign(otherRoot, List.of(release.releaseKey.publicKey()), 5, Duration.ofDays(1), Clock.systemUTC()));
        syncExpectingRefusal(Clock.systemUTC(), "root.json");
    }

    @Test
    void refusesOlderManifestSerialThanInstalled() throws Exception {
        // Install v2 (serial 2), then publish v0 with an explicit lower serial: a rollback attack.
        try (var agent = agent(Clock.systemUTC())) {
            assertEquals("v2", agent.runOnce().getFirst().active());
        }
        var old = tmp.resolve("v0");
        Release.writeRandom(old.resolve("w.bin"), 300_000, 9);
        new ai.appliance.sync.publish.Publisher(store, release.releaseKey, Clock.systemUTC(), 1).publish(
                new ai.appliance.sync.publish.Publisher.Request(old, "m", "v0", 1, "stable", 100, Duration.ofDays(30), Duration.ofDays(7), Release.SMALL), (d, t) -> {});
        try (var agent = agent(Clock.systemUTC())) {
            var s = agent.runOnce().getFirst();
            assertEquals("v2", s.active());
            assertEquals("refused", s.state());
            assertTrue(s.lastError().contains("rollback refused"), s.lastError());
        }
    }

    @Test
    void refusesExpiredMetadata() throws Exception {
        // The channel pointer is valid 7 days; a device clock 8 days ahead sees a frozen mirror.
        var later = Clock.fixed(Instant.now().plus(Duration.ofDays(8)), ZoneOffset.UTC);
        syncExpectingRefusal(later, "expired");
    }

    @Test
    void refusesChunkWhoseBytesDiffer() throws Exception {
        var m = manifest();
        var id = m.files().getFirst().chunks().get(1).id();
        var chunk = storeDir.resolve(StoreKeys.chunk(id));
        var bytes = Files.readAllBytes(chunk);
        bytes[bytes.length / 2] ^= 1;
        Files.write(chunk, bytes);
        syncExpectingRefusal(Clock.systemUTC(), "does not match its SHA-256");
    }

    @Test
    void refusesChunkWhoseSizeDiffers() throws Exception {
        var m = manifest();
        var id = m.files().getFirst().chunks().getFirst().id();
        var chunk = storeDir.resolve(StoreKeys.chunk(id));
        var bytes = Files.readAllBytes(chunk);
        Files.write(chunk, java.util.Arrays.copyOf(bytes, bytes.length - 10));
        syncExpectingRefusal(Clock.systemUTC(), "manifest says");
    }

    @Test
    void refusesManifestWithPathEscapingTheVersionFolder() throws Exception {
        // A release key holder (or a bug) cannot write outside the version folder.
        var m = manifest();
        var f = m.files().getFirst();
        var evil = new Manifest(m.type(), 1, "m", "v3", 3, m.created(), m.expires(), m.chunking(),
                List.of(new ai.appliance.sync.manifest.FileEntry("../../etc/evil", f.size(), f.sha256(), f.chunks())));
        var bytes = Envelope.sign(Envelope.MANIFEST_TYPE, Json.write(evil), release.releaseKey).toJson();
        store.put(StoreKeys.manifest("m", "v3"), bytes);
        new ai.appliance.sync.publish.ChannelPointers(store, release.releaseKey, Clock.systemUTC()).move("m", "stable",
                new ai.appliance.sync.manifest.ChannelPointer.Target("v3", ai.appliance.sync.util.Sha256.hex(bytes), 3), 100, Duration.ofDays(1));
        syncExpectingRefusal(Clock.systemUTC(), "forbidden segment");
        assertFalse(Files.exists(tmp.resolve("etc")));
    }

    private Manifest manifest() throws Exception {
        var env = Envelope.parse(Files.readAllBytes(manifestFile()), "m");
        return Json.read(env.payloadBytes("m"), Manifest.class, "m");
    }
}
