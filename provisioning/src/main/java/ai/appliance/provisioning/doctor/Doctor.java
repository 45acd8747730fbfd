package ai.appliance.provisioning.doctor;

import ai.appliance.provisioning.hardware.HardwareReport;
import ai.appliance.provisioning.hardware.SystemProbe;
import ai.appliance.provisioning.pki.DeviceCredentials;
import ai.appliance.provisioning.plan.Plan;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * The checks behind `appliance doctor`, wired explicitly: each input that is present adds its checks.
 * Without a store there is no clock check, which is reported as a warning rather than silently passed. The GPU
 * software checks read the box itself ({@link Builder#host}): without one they are SKIP lines saying so.
 */
public final class Doctor {

    private final HardwareReport report;
    private final Plan plan;
    private final Path deviceDir;
    private final String store;
    private final String broker;
    private final Clock clock;
    private final SystemProbe host;

    private Doctor(Builder b) {
        this.report = b.report;
        this.plan = b.plan;
        this.deviceDir = b.deviceDir;
        this.store = b.store;
        this.broker = b.broker;
        this.clock = b.clock;
        this.host = b.host;
    }

    public static Builder builder(HardwareReport report) {
        return new Builder(report);
    }

    public List<CheckResult> run() {
        var results = new ArrayList<CheckResult>();
        if (plan != null) {
            results.addAll(PlanChecks.run(report, plan));
            results.addAll(host != null ? DriverChecks.run(plan, host)
                    : DriverChecks.skipped("not read: doctor reads the GPU software of the box it runs on, and was given "
                            + "a recorded hardware report instead of detecting this box"));
        } else {
            results.add(CheckResult.warn("plan", "no plan given (--plan): hardware not checked against one"));
        }
        if (deviceDir != null) results.addAll(CertificateCheck.run(new DeviceCredentials(deviceDir), clock));
        if (store != null) results.addAll(ReachabilityChecks.store(store, clock));
        else results.add(ReachabilityChecks.noClockReference("no store given (--store)"));
        if (broker != null) results.add(ReachabilityChecks.broker(broker));
        return results;
    }

    public static final class Builder {
        private final HardwareReport report;
        private Plan plan;
        private Path deviceDir;
        private String store;
        private String broker;
        private Clock clock = Clock.systemUTC();
        private SystemProbe host;

        private Builder(HardwareReport report) {
            this.report = report;
        }

        public Builder plan(Plan plan) { this.plan = plan; return this; }
        public Builder deviceDir(Path deviceDir) { this.deviceDir = deviceDir; return this; }
        public Builder store(String store) { this.store = store; return this; }
        public Builder broker(String broker) { this.broker = broker; return this; }
        public Builder clock(Clock clock) { this.clock = clock; return this; }
        /** This box, for the live driver, libcuda and NVRTC checks; leave unset when the report is not of this box. */
        public Builder host(SystemProbe host) { this.host = host; return this; }

        public Doctor build() {
            return new Doctor(this);
        }
    }
}
