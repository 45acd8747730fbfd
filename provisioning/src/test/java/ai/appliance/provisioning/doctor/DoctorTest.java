package ai.appliance.provisioning.doctor;

import ai.appliance.provisioning.hardware.HardwareReport;
import ai.appliance.provisioning.pki.DeviceCredentials;
import ai.appliance.provisioning.pki.FleetCa;
import ai.appliance.provisioning.plan.ModelCatalog;
import ai.appliance.provisioning.plan.Planner;
import ai.appliance.provisioning.testing.RecordedReports;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class DoctorTest {

    @TempDir
    Path tmp;

    private static CheckResult find(List<CheckResult> results, String check) {
        return results.stream().filter(r -> r.check().equals(check)).findFirst()
                .orElseThrow(() -> new AssertionError("no check " + check + " in " + results));
    }

    @Test
    void aBoxMatchingItsPlanPassesDriverMemoryAndDisk() {
        var report = RecordedReports.load("8x-h100-80gb");
        var plan = new Planner(ModelCatalog.deepSeekR1()).plan(report);
        var results = Doctor.builder(report).plan(plan).build().run();
        assertEquals(CheckResult.Status.PASS, find(results, "gpus").status());
        assertEquals(CheckResult.Status.PASS, find(results, "gpu7 driver").status());
        assertEquals(CheckResult.Status.PASS, find(results, "gpu0 memory").status());
        assertEquals(CheckResult.Status.PASS, find(results, "disk").status());
        assertEquals(CheckResult.Status.WARN, find(results, "clock").status()); // no store given: said, not hidden
    }

    @Test
    void anOldDriverTooFewGpusAndAFullDiskFail() {
        var report = RecordedReports.load("a100-40gb");
        var plan = new Planner(ModelCatalog.deepSeekR1()).plan(report);
        var gpu = report.gpus().getFirst();
        var old = new HardwareReport(report.hostname(), report.architecture(), report.cpu(), report.totalRamBytes(),
                report.availableRamBytes(), report.dataDirectory(), 1L << 30,
                List.of(new HardwareReport.NvidiaGpu(0, gpu.name(), gpu.memoryBytes(), "470.82.01", "11.4",
                        gpu.computeCapability(), 0)), null);
        var results = Doctor.builder(old).plan(plan).build().run();
        var driver = find(results, "gpu0 driver");
        assertEquals(CheckResult.Status.FAIL, driver.status());
        assertTrue(driver.detail().contains("driver 470.82.01 < 525.60.13"), driver.detail());
        assertTrue(driver.detail().contains("CUDA 11.4 < 12.0"), driver.detail());
        assertEquals(CheckResult.Status.FAIL, find(results, "disk").status());

        var noGpus = Doctor.builder(RecordedReports.load("cpu-only-i7-12700")).plan(plan).build().run();
        assertEquals(CheckResult.Status.FAIL, find(noGpus, "gpus").status());
    }

    @Test
    void jetsonOnOldL4tFailsAndLowAvailableMemoryFails() {
        var report = RecordedReports.load("jetson-orin-nano-8gb");
        var plan = new Planner(ModelCatalog.deepSeekR1()).plan(report);
        var j = report.jetson();
        var old = new HardwareReport(report.hostname(), report.architecture(), report.cpu(), report.totalRamBytes(),
                1L << 30, report.dataDirectory(), report.freeDiskBytes(), List.of(),
                new HardwareReport.Jetson(j.model(), "35.4.1", j.unifiedMemoryBytes()));
        var results = Doctor.builder(old).plan(plan).build().run();
        assertEquals(CheckResult.Status.FAIL, find(results, "l4t").status());
        assertEquals(CheckResult.Status.FAIL, find(results, "memory").status());
        assertEquals(CheckResult.Status.PASS,
                find(Doctor.builder(report).plan(plan).build().run(), "memory").status());
    }

    @Test
    void certificateChecksPassFreshWarnNearExpiryAndFailWhenExpiredOrRevoked() {
        var ca = FleetCa.init(tmp.resolve("ca"), "Fleet", Clock.systemUTC());
        var device = new DeviceCredentials(tmp.resolve("device"));
        var cert = device.enroll(ca, "edge-7", "edge", List.of(), List.of());
        var report = RecordedReports.load("cpu-only-i7-12700");

        var fresh = Doctor.builder(report).deviceDir(tmp.resolve("device")).build().run();
        for (var check : List.of("certificate", "trust", "revocation", "device key")) {
            assertEquals(CheckResult.Status.PASS, find(fresh, check).status(), check);
        }
        var day70 = Clock.offset(Clock.systemUTC(), Duration.ofDays(70));
        assertEquals(CheckResult.Status.WARN,
                find(Doctor.builder(report).deviceDir(tmp.resolve("device")).clock(day70).build().run(), "certificate").status());
        var day91 = Clock.offset(Clock.systemUTC(), Duration.ofDays(91));
        var expired = Doctor.builder(report).deviceDir(tmp.resolve("device")).clock(day91).build().run();
        assertEquals(CheckResult.Status.FAIL, find(expired, "certificate").status());
        assertEquals(CheckResult.Status.FAIL, find(expired, "revocation").status(), "CRL next update passed too");

        ai.appliance.provisioning.pki.PkiFiles.writeCrl(device.crlFile(), ca.revoke(cert.getSerialNumber()));
        assertEquals(CheckResult.Status.FAIL,
                find(Doctor.builder(report).deviceDir(tmp.resolve("device")).build().run(), "revocation").status());
    }

    @Test
    void storeDateHeaderGivesClockSkewAndBrokerReachabilityIsTested() throws Exception {
        var server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            exchange.sendResponseHeaders(403, -1); // like S3 to an unsigned request: still reachable
            exchange.close();
        });
        server.start();
        try (var broker = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            var store = "s3://models?endpoint=http://127.0.0.1:" + server.getAddress().getPort() + "&pathStyle=true";
            var report = RecordedReports.load("cpu-only-i7-12700");
            var ok = Doctor.builder(report).store(store).broker("127.0.0.1:" + broker.getLocalPort()).build().run();
            assertEquals(CheckResult.Status.PASS, find(ok, "store").status());
            assertEquals(CheckResult.Status.PASS, find(ok, "clock").status(), find(ok, "clock").detail());
            assertEquals(CheckResult.Status.PASS, find(ok, "broker").status());

            var ahead = Clock.offset(Clock.systemUTC(), Duration.ofMinutes(10));
            var skewed = Doctor.builder(report).store(store).clock(ahead).build().run();
            var clock = find(skewed, "clock");
            assertEquals(CheckResult.Status.FAIL, clock.status());
            assertTrue(clock.detail().contains("ahead of 127.0.0.1 by 6"), clock.detail());
        } finally {
            server.stop(0);
        }
        int closedPort;
        try (var s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        var report = RecordedReports.load("cpu-only-i7-12700");
        var down = Doctor.builder(report).store("http://127.0.0.1:" + closedPort + "/").broker("127.0.0.1:" + closedPort)
                .build().run();
        assertEquals(CheckResult.Status.FAIL, find(down, "store").status());
        assertEquals(CheckResult.Status.WARN, find(down, "clock").status());
        assertEquals(CheckResult.Status.FAIL, find(down, "broker").status());
    }

    @Test
    void skewThresholds() {
        var t = Instant.parse("2026-11-23T10:00:00Z");
        assertEquals(CheckResult.Status.PASS, ReachabilityChecks.skew(t, t.plusSeconds(2), "s").status());
        assertEquals(CheckResult.Status.WARN, ReachabilityChecks.skew(t, t.minusSeconds(90), "s").status());
        assertEquals(CheckResult.Status.FAIL, ReachabilityChecks.skew(t, t.plusSeconds(301), "s").status());
    }
}
