package ai.appliance.sync.testing;

import ai.appliance.sync.agent.SyncAgent;
import ai.appliance.sync.agent.SyncConfig;
import ai.appliance.sync.chunk.ChunkingParams;
import ai.appliance.sync.publish.Publisher;
import ai.appliance.sync.publish.RootSigner;
import ai.appliance.sync.store.ObjectStore;
import ai.appliance.sync.store.StoreKeys;
import ai.appliance.sync.trust.Ed25519;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Random;

/**
 * A publishing side and a device side over one store, as a test fixture: keys, signed root, publish helper,
 * and an agent configuration for a device root.
 */
public final class Release {
    /** Small chunks so a few MB of test data make dozens of chunks. */
    public static final ChunkingParams SMALL = ChunkingParams.of(16 << 10, 64 << 10, 256 << 10);

    public final Path dir;
    public final Ed25519.KeyPair rootKey;
    public final Ed25519.KeyPair releaseKey;
    public final Path rootPub;
    public final Path releaseKeyFile;

    public Release(Path dir) throws IOException {
        this.dir = dir;
        var rnd = new SecureRandom();
        rootKey = Ed25519.generate(rnd);
        releaseKey = Ed25519.generate(rnd);
        Files.createDirectories(dir.resolve("keys"));
        rootPub = dir.resolve("keys/root.pub");
        releaseKeyFile = dir.resolve("keys/release.key");
        Ed25519.writeKeyPair(rootKey, dir.resolve("keys/root.key"), rootPub);
        Ed25519.writeKeyPair(releaseKey, releaseKeyFile, dir.resolve("keys/release.pub"));
    }

    public void signRoot(ObjectStore store) {
        var root = RootSigner.sign(rootKey, List.of(releaseKey.publicKey()), 1, Duration.ofDays(365), Clock.systemUTC());
        store.put(StoreKeys.rootHistory(1), root);
        store.put(StoreKeys.ROOT, root);
    }

    public Publisher.Result publish(ObjectStore store, Path source, String model, String version, int rollout, ChunkingParams chunking) throws IOException {
        return new Publisher(store, releaseKey, Clock.systemUTC(), 2).publish(new Publisher.Request(source, model, version, 0, "stable",
                rollout, Duration.ofDays(30), Duration.ofDays(7), chunking), (d, t) -> {});
    }

    public Publisher.Result publish(ObjectStore store, Path source, String model, String version) throws IOException {
        return publish(store, source, model, version, 100, SMALL);
    }

    /** Device configuration: pinned root key copied to {@code <deviceRoot>/trust/root.pub}. */
    public SyncConfig device(Path deviceRoot, List<String> stores, String model) throws IOException {
        Files.createDirectories(deviceRoot.resolve("trust"));
        Files.copy(rootPub, deviceRoot.resolve("trust/root.pub"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return SyncConfig.of(deviceRoot, stores, List.of(new SyncConfig.ModelRef(model, "stable")))
                .withDeviceId("device-1").withRetries(1).withLoadTimeout(Duration.ofMinutes(5));
    }

    public static SyncAgent agent(SyncConfig config, ObjectStore store) {
        return SyncAgent.builder().config(config).store(store).build();
    }

    /** Deterministic pseudo-random bytes (a stand-in for high-entropy weights). */
    public static void writeRandom(Path file, long size, long seed) throws IOException {
        Files.createDirectories(file.getParent());
        var rnd = new Random(seed);
        var buf = new byte[1 << 20];
        try (var out = Files.newOutputStream(file)) {
            for (long left = size; left > 0; left -= buf.length) {
                rnd.nextBytes(buf);
                out.write(buf, 0, (int) Math.min(buf.length, left));
            }
        }
    }

    /** Overwrites {@code length} bytes at {@code offset} with other deterministic bytes. */
    public static void overwrite(Path file, long offset, int length, long seed) throws IOException {
        var buf = new byte[length];
        new Random(seed).nextBytes(buf);
        try (var f = new java.io.RandomAccessFile(file.toFile(), "rw")) {
            f.seek(offset);
            f.write(buf);
        }
    }

    /** Copies a model folder (a new version starts as a copy of the old one). */
    public static void copyTree(Path from, Path to) throws IOException {
        try (var s = Files.walk(from)) {
            for (var p : s.toList()) {
                var t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(t);
                else Files.copy(p, t, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }
}
