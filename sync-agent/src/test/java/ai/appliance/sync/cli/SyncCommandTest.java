package ai.appliance.sync.cli;

import ai.appliance.sync.testing.Release;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** The operator's path end to end through the CLI: keys, root, publish, run, status, verify, rollback, gc. */
class SyncCommandTest {
    record Result(int code, String out, String err) {}

    static Result run(String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        var cl = new CommandLine(new SyncCommand()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void publishRunStatusVerifyRollbackAndGcFromTheCommandLine(@TempDir Path tmp) throws Exception {
        var keys = tmp.resolve("keys");
        assertEquals(0, run("keygen", "--out", keys.resolve("root").toString()).code());
        assertEquals(0, run("keygen", "--out", keys.resolve("release").toString()).code());
        var store = Files.createDirectories(tmp.resolve("remote")).toString();
        assertEquals(0, run("sign-root", "--root-key", keys + "/root.key", "--release-pub", keys + "/release.pub", "--store", store).code());
        var v1 = tmp.resolve("v1");
        Release.writeRandom(v1.resolve("model.gguf"), 2 << 20, 1);
        var pub = run("publish", v1.toString(), store, "--model", "qwen", "--version", "v1", "--key", keys + "/release.key",
                "--chunk-min", "65536", "--chunk-avg", "262144", "--chunk-max", "1048576");
        assertEquals(0, pub.code(), pub.err());
        assertTrue(pub.out().contains("published qwen v1"), pub.out());

        var root = tmp.resolve("device");
        Files.createDirectories(root.resolve("trust"));
        Files.copy(keys.resolve("root.pub"), root.resolve("trust/root.pub"));
        var device = new String[]{"--store-root", root.toString(), "--store", store, "--model", "qwen", "--device-id", "d1"};
        var r = run(concat(new String[]{"run", "--once"}, device));
        assertEquals(0, r.code(), r.err() + r.out());
        assertTrue(r.out().contains("qwen: active v1"), r.out());

        var v2 = tmp.resolve("v2");
        Release.writeRandom(v2.resolve("model.gguf"), 2 << 20, 2);
        assertEquals(0, run("publish", v2.toString(), store, "--model", "qwen", "--version", "v2", "--key", keys + "/release.key",
                "--chunk-min", "65536", "--chunk-avg", "262144", "--chunk-max", "1048576").code());
        assertEquals(0, run(concat(new String[]{"run", "--once"}, device)).code());

        var status = run("status", "--json", "--store-root", root.toString());
        assertEquals(0, status.code());
        assertTrue(status.out().contains("\"active\" : \"v2\""), status.out());
        assertTrue(run("verify", "--store-root", root.toString()).out().contains("qwen: v2 intact"));

        var rb = run("rollback", "--name", "qwen", "--store-root", root.toString());
        assertEquals(0, rb.code(), rb.err());
        assertTrue(rb.out().contains("active v1"), rb.out());
        assertEquals(0, run("gc", "--store-root", root.toString()).code());

        // A corrupted active file is reported and the command fails.
        Files.write(root.resolve("models/qwen/versions/v1/model.gguf"), new byte[10]);
        var bad = run("verify", "--store-root", root.toString());
        assertEquals(3, bad.code());
        assertTrue(bad.out().contains("model.gguf"), bad.out());
        // v2 was rolled back by the operator (marked bad): verify must not fall back onto it.
        var status2 = run("status", "--store-root", root.toString());
        assertTrue(status2.out().contains("active v1, state corrupt"), status2.out());

        var missing = run("publish", tmp.resolve("nope").toString(), store, "--model", "qwen", "--version", "v3", "--key", keys + "/release.key");
        assertEquals(64, missing.code());
        assertTrue(missing.err().startsWith("error: nothing to publish at"), missing.err());
        assertEquals(1, missing.err().strip().lines().count(), "one-line error");
    }

    @Test
    void exportThenImportInstallsOnAnAirGappedDevice(@TempDir Path tmp) throws Exception {
        var keys = tmp.resolve("keys");
        run("keygen", "--out", keys.resolve("root").toString());
        run("keygen", "--out", keys.resolve("release").toString());
        var store = Files.createDirectories(tmp.resolve("remote")).toString();
        run("sign-root", "--root-key", keys + "/root.key", "--release-pub", keys + "/release.pub", "--store", store);
        var v1 = tmp.resolve("v1");
        Release.writeRandom(v1.resolve("model.gguf"), 1 << 20, 1);
        assertEquals(0, run("publish", v1.toString(), store, "--model", "qwen", "--version", "v1", "--key", keys + "/release.key").code());

        var usb = tmp.resolve("usb/qwen-v1");
        var exp = run("export", "--from", store, "--name", "qwen", "--to", usb.toString(), "--trust-root", keys + "/root.pub");
        assertEquals(0, exp.code(), exp.err());
        var device = tmp.resolve("site/store");
        Files.createDirectories(device.resolve("trust"));
        Files.copy(keys.resolve("root.pub"), device.resolve("trust/root.pub"));
        var imp = run("import", usb.toString(), "--store-root", device.toString());
        assertEquals(0, imp.code(), imp.err() + imp.out());
        assertTrue(imp.out().contains("bundle verified: qwen v1"), imp.out());
        assertTrue(imp.out().contains("qwen: active v1"), imp.out());
        assertEquals(-1L, Files.mismatch(v1.resolve("model.gguf"), device.resolve("models/qwen/versions/v1/model.gguf")));
    }

    @Test
    void verifyStoreFindsMissingAndDamagedChunksAndRepairsThemFromTheSource(@TempDir Path tmp) throws Exception {
        var keys = tmp.resolve("keys");
        run("keygen", "--out", keys.resolve("root").toString());
        run("keygen", "--out", keys.resolve("release").toString());
        var storeDir = Files.createDirectories(tmp.resolve("remote"));
        var store = storeDir.toString();
        run("sign-root", "--root-key", keys + "/root.key", "--release-pub", keys + "/release.pub", "--store", store);
        var v1 = tmp.resolve("v1");
        Release.writeRandom(v1.resolve("model.gguf"), 2 << 20, 1);
        assertEquals(0, run("publish", v1.toString(), store, "--model", "qwen", "--version", "v1", "--key", keys + "/release.key",
                "--chunk-min", "65536", "--chunk-avg", "262144", "--chunk-max", "1048576").code());
        assertEquals(0, run("verify-store", store).code());

        var chunkFiles = new java.util.ArrayList<Path>();
        try (var s = Files.walk(storeDir.resolve("chunks"))) {
            s.filter(Files::isRegularFile).sorted().forEach(chunkFiles::add);
        }
        Release.overwrite(chunkFiles.get(0), 5, 8, 9);
        Files.delete(chunkFiles.get(1));
        var damagedId = chunkFiles.get(0).getFileName().toString();
        var missingId = chunkFiles.get(1).getFileName().toString();

        var check = run("verify-store", store);
        assertEquals(3, check.code(), check.err() + check.out());
        assertTrue(check.out().contains("chunk " + damagedId + ": damaged (used by qwen v1)"), check.out());
        assertTrue(check.out().contains("chunk " + missingId + ": missing (used by qwen v1)"), check.out());
        assertTrue(check.out().contains("2 missing or damaged, 0 re-uploaded"), check.out());

        assertEquals(64, run("verify-store", store, "--repair").code(), "--repair needs the source");
        var repair = run("verify-store", store, "--repair", "--source", v1.toString());
        assertEquals(0, repair.code(), repair.err() + repair.out());
        assertTrue(repair.out().contains("2 re-uploaded"), repair.out());
        assertEquals(0, run("verify-store", store).code());
    }

    @Test
    void verifyFailsForAModelWithNoActiveVersionAndStatusCallsADeadDownloadInterrupted(@TempDir Path tmp) throws Exception {
        var release = new Release(tmp.resolve("release"));
        var root = tmp.resolve("device");
        Files.createDirectories(root.resolve("trust"));
        Files.copy(release.rootPub, root.resolve("trust/root.pub"));
        // What a first sync killed at 14 % leaves: a state file saying "downloading" and no active link.
        Files.createDirectories(root.resolve("models/qwen"));
        Files.writeString(root.resolve("models/qwen/agent-state.json"), """
                {"model":"qwen","active":null,"previous":[],"bad":{},"state":"downloading","progress":0.14}
                """);
        Files.writeString(root.resolve(".agent.lock"), "");

        var status = run("status", "--store-root", root.toString());
        assertEquals(0, status.code(), status.err());
        assertTrue(status.out().contains("qwen: active none, state interrupted"), status.out());
        assertTrue(status.out().contains("interrupted while downloading at 14%"), status.out());
        assertFalse(status.out().contains("downloading 14%"), status.out());

        var verify = run("verify", "--store-root", root.toString());
        assertEquals(1, verify.code(), verify.out() + verify.err());
        assertTrue(verify.out().startsWith("qwen: no active version"), verify.out());
        assertFalse(verify.out().contains("intact"), verify.out());

        // With an agent holding the store, the same file means work in progress.
        var config = ai.appliance.sync.agent.SyncConfig.of(root, java.util.List.of(tmp.resolve("none").toString()),
                java.util.List.of(new ai.appliance.sync.agent.SyncConfig.ModelRef("qwen", "stable")));
        try (var agent = ai.appliance.sync.agent.SyncAgent.builder().config(config).build()) {
            var live = run("status", "--store-root", root.toString());
            assertTrue(live.out().contains("state downloading 14%"), live.out());
        }
    }

    private static String[] concat(String[] a, String[] b) {
        var out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
