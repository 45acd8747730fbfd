package ai.appliance.provisioning.cli;

import ai.appliance.provisioning.json.JsonFiles;
import ai.appliance.provisioning.plan.Plan;
import ai.appliance.provisioning.testing.RecordedReports;
import ai.appliance.provisioning.testing.SharedFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** The commands end to end, in-process, the way an operator runs them. */
class ProvisionCommandTest {

    @TempDir
    Path tmp;

    private record Run(int exit, String out, String err) {
    }

    private static Run run(Object command, String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        var cli = new CommandLine(command).setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private static Run provision(String... args) {
        return run(new ProvisionCommand(), args);
    }

    @Test
    void planEnrollRenderEncryptAndDoctorFromTheCommandLine() throws Exception {
        var plan = tmp.resolve("plan.json");
        var r = provision("plan", "--report", RecordedReports.path("rtx-4090").toString(), "--out", plan.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals("DeepSeek-R1-Distill-Qwen-7B", JsonFiles.read(plan, Plan.class).model());

        var ca = tmp.resolve("ca").toString();
        var device = tmp.resolve("device").toString();
        assertEquals(0, provision("ca", "init", "--ca-dir", ca).exit());
        r = provision("enroll", "--ca-dir", ca, "--device-dir", device, "--device-id", "ws-gpu-02", "--plan",
                plan.toString(), "--dns", "localhost", "--ip", "127.0.0.1");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("enrolled ws-gpu-02 (production)"), r.out());
        r = provision("renew", "--ca-dir", ca, "--device-dir", device);
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("not due: 8"), r.out()); // 89 or 90 days remain

        for (var target : new String[]{"systemd", "k8s", "compose"}) {
            r = provision("render", target, "--plan", plan.toString(), "--out", tmp.resolve(target).toString(),
                    "--tpot-target-ms", "120");
            assertEquals(0, r.exit(), r.err());
            // Every target ships the alert rules (with the given decode target) and the dashboard beside it.
            assertTrue(Files.readString(tmp.resolve(target).resolve("appliance-alerts.yaml")).contains("> 0.12"));
            assertTrue(Files.readString(tmp.resolve(target).resolve("appliance-dashboard.json")).contains("\"panels\""));
        }
        assertTrue(Files.isExecutable(tmp.resolve("systemd/appliance-supervise.sh")));
        assertTrue(Files.readString(tmp.resolve("k8s/appliance.yaml")).contains("nvidia.com/gpu"));
        assertTrue(Files.readString(tmp.resolve("k8s/autoscaling-keda.yaml")).contains("ScaledObject"));
        assertTrue(Files.readString(tmp.resolve("k8s/autoscaling-hpa.yaml")).contains("HorizontalPodAutoscaler"));

        var fixture = SharedFixtures.path("models/tiny-llama3/tiny-llama3-q8_0.gguf");
        var enc = tmp.resolve("model.gguf.enc");
        var dec = tmp.resolve("model.gguf");
        r = provision("encrypt-model", "--device-dir", device, "--in", fixture.toString(), "--out", enc.toString(),
                "--segment-kib", "64");
        assertEquals(0, r.exit(), r.err());
        r = provision("decrypt-model", "--device-dir", device, "--in", enc.toString(), "--out", dec.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals(-1, Files.mismatch(fixture, dec));
        // A second run must not replace an existing file unless told to.
        r = provision("encrypt-model", "--device-dir", device, "--in", fixture.toString(), "--out", enc.toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains(enc + " exists; pass --force to replace it"), r.err());
        r = provision("decrypt-model", "--device-dir", device, "--in", enc.toString(), "--out", dec.toString(), "--force");
        assertEquals(0, r.exit(), r.err());

        var keys = tmp.resolve("keys");
        assertEquals(0, provision("keys", "init", "--dir", keys.toString()).exit());
        r = provision("keys", "rotate", "--dir", keys.toString(), "--keep-previous");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("root.json serial 2"), r.out());

        var doctor = run(new DoctorCommand(), "--plan", plan.toString(), "--report",
                RecordedReports.path("rtx-4090").toString(), "--device-dir", device);
        assertEquals(0, doctor.exit(), doctor.out());
        assertTrue(doctor.out().contains("PASS  certificate"), doctor.out());
        assertTrue(doctor.out().contains("PASS  gpu0 driver"), doctor.out());
    }

    @Test
    void offlineCaFlowAndRootKeyPinning() throws Exception {
        var ca = tmp.resolve("ca").toString();
        var device = tmp.resolve("device");
        var keys = tmp.resolve("keys");
        var store = tmp.resolve("store");
        assertEquals(0, provision("ca", "init", "--ca-dir", ca).exit());
        assertEquals(0, provision("keys", "init", "--dir", keys.toString()).exit());
        var r = provision("enroll", "--device-dir", device.toString(), "--device-id", "kiosk-4", "--profile", "dev",
                "--csr-only");
        assertEquals(0, r.exit(), r.err());
        assertFalse(Files.exists(device.resolve("device-cert.pem")));
        var chain = tmp.resolve("kiosk-4-chain.pem");
        r = provision("ca", "sign", "--ca-dir", ca, "--csr", device.resolve("device.csr.pem").toString(),
                "--out", chain.toString());
        assertEquals(0, r.exit(), r.err());
        r = provision("enroll", "--device-dir", device.toString(), "--install", chain.toString(), "--trust-bundle",
                tmp.resolve("ca/trust-bundle.pem").toString(), "--crl", tmp.resolve("ca/crl.pem").toString(),
                "--store-root", store.toString(), "--keys", keys.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(Files.exists(device.resolve("tls.yaml")));
        assertEquals(Files.readString(keys.resolve("root.pub")), Files.readString(store.resolve("trust/root.pub")));

        // A chain issued for another key is refused at install.
        var other = tmp.resolve("other");
        assertEquals(0, provision("enroll", "--device-dir", other.toString(), "--device-id", "kiosk-5", "--profile",
                "dev", "--csr-only").exit());
        r = provision("enroll", "--device-dir", other.toString(), "--install", chain.toString(), "--trust-bundle",
                tmp.resolve("ca/trust-bundle.pem").toString(), "--crl", tmp.resolve("ca/crl.pem").toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("was not issued for the key in"), r.err());

        r = provision("ca", "revoke", "--ca-dir", ca, "--cert", chain.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("now lists 1 certificate"), r.out());
    }

    @Test
    void failuresAreOneLineWithANonZeroExit() {
        var r = provision("plan", "--report", tmp.resolve("missing.json").toString());
        assertEquals(1, r.exit());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("missing.json"), r.err());

        r = provision("decrypt-model", "--device-dir", tmp.toString(), "--in",
                SharedFixtures.path("models/tiny-qwen2/config.json").toString(), "--out", tmp.resolve("x").toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("config.json is"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());

        var ca = tmp.resolve("ca").toString();
        assertEquals(0, provision("ca", "init", "--ca-dir", ca).exit());
        r = provision("ca", "init", "--ca-dir", ca);
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("refusing to replace a fleet CA"), r.err());
    }

    @Test
    void everyCommandHasHelp() {
        for (var args : new String[][]{{"--help"}, {"detect", "--help"}, {"plan", "--help"}, {"ca", "init", "--help"},
                {"enroll", "--help"}, {"renew", "--help"}, {"keys", "rotate", "--help"}, {"encrypt-model", "--help"},
                {"decrypt-model", "--help"}, {"render", "--help"}, {"probe", "--help"}}) {
            var r = provision(args);
            assertEquals(0, r.exit(), String.join(" ", args));
            assertTrue(r.out().contains("Usage:"), String.join(" ", args));
        }
        assertTrue(run(new DoctorCommand(), "--help").out().contains("clock skew"));
    }

    @Test
    void detectOnThisMachineWritesAParsableReport() {
        var out = tmp.resolve("report.json");
        var r = provision("detect", "--data-dir", tmp.toString(), "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        var report = JsonFiles.read(out, ai.appliance.provisioning.hardware.HardwareReport.class);
        assertTrue(report.cpu().logicalCores() >= 1);
        assertTrue(report.totalRamBytes() > 0);
        assertTrue(report.freeDiskBytes() > 0);
    }
}
