package ai.appliance.provisioning.cli;

import ai.appliance.provisioning.doctor.CheckResult;
import ai.appliance.provisioning.doctor.Doctor;
import ai.appliance.provisioning.hardware.HardwareDetector;
import ai.appliance.provisioning.hardware.HardwareReport;
import ai.appliance.provisioning.hardware.LocalSystemProbe;
import ai.appliance.provisioning.json.JsonFiles;
import ai.appliance.provisioning.plan.Plan;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code appliance doctor}: pass/fail lines; exit status 1 when any check fails. */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = {"Check this box against its plan: driver and CUDA, libcuda and NVRTC (GPU plans; SKIP for CPU "
                + "plans), memory, disk, certificate, store and broker reachability, clock skew (against the store's "
                + "HTTP Date header: offline boxes have no NTP).",
                "Exit status 1 when any line is FAIL."})
public final class DoctorCommand extends ProvisionStep {

    @Option(names = "--plan", description = "plan.json to check against.") Path plan;
    @Option(names = "--report", description = "Hardware report; detects this box when absent.") Path report;
    @Option(names = "--data-dir", defaultValue = ".", description = "Where models live (free disk).") Path dataDir;
    @Option(names = "--device-dir", description = "Enrolled device folder (certificate checks).") Path deviceDir;
    @Option(names = "--store", description = "Model store: http(s) URL, s3://bucket?endpoint=..., or a folder.")
    String store;
    @Option(names = "--broker", description = "MQTT broker host:port (or tcp:// / ssl:// URI).") String broker;

    @Override
    protected int execute() {
        var host = new LocalSystemProbe();
        HardwareReport hardware = report != null ? JsonFiles.read(report, HardwareReport.class)
                : new HardwareDetector(host).detect(dataDir);
        var doctor = Doctor.builder(hardware).deviceDir(deviceDir).store(store).broker(broker);
        // The driver, libcuda and NVRTC lines read this box, so they belong with a report of this box, not a recorded one.
        if (report == null) doctor.host(host);
        if (plan != null) doctor.plan(JsonFiles.read(plan, Plan.class));
        var results = doctor.build().run();
        results.forEach(r -> out().println(r.line()));
        long failed = results.stream().filter(r -> r.status() == CheckResult.Status.FAIL).count();
        out().println(failed == 0 ? "doctor: all checks passed" : "doctor: " + failed + " check(s) failed");
        return failed == 0 ? 0 : 1;
    }
}
