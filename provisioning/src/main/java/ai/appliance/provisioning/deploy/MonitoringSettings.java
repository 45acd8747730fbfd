package ai.appliance.provisioning.deploy;

import java.time.Duration;

/**
 * What the monitoring artifacts need beyond the plan.
 *
 * @param prometheusUrl            where KEDA queries Prometheus (the Prometheus Operator's default service)
 * @param timePerOutputTokenTarget the p95 target of the decode-latency alert
 */
public record MonitoringSettings(String prometheusUrl, Duration timePerOutputTokenTarget) {

    public static MonitoringSettings defaults() {
        return new MonitoringSettings("http://prometheus-operated.monitoring.svc:9090",
                AlertThresholds.DEFAULT_TIME_PER_OUTPUT_TOKEN);
    }
}
