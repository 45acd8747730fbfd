package ai.appliance.provisioning.deploy;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

import static ai.appliance.provisioning.deploy.Yaml.map;

/**
 * The fleet's Prometheus alerting rules (a rules file for {@code rule_files}; on Kubernetes the same groups go
 * into a PrometheusRule). Each rule is per appliance ({@code instance}); {@code for} keeps one slow scrape or a
 * burst from paging anyone. Thresholds: docs/provisioning.md, "Monitoring".
 */
public final class AlertRulesRenderer {

    public static final String GROUP = "appliance";

    public String render(AlertThresholds t) {
        return Yaml.write(map("groups", groups(t)));
    }

    /** The rule groups, also the spec of the Kubernetes PrometheusRule. */
    public List<Map<String, Object>> groups(AlertThresholds t) {
        double tpot = t.timePerOutputTokenTarget().toNanos() / 1e9;
        long memoryAlert = (long) (0.85 * t.memoryLimitBytes());
        return List.of(map("name", GROUP, "rules", List.of(
                rule("ApplianceErrorRateHigh", "critical", "5m",
                        "sum by (instance) (rate(appliance_requests_total{status=~\"5..\"}[5m]))"
                                + " / sum by (instance) (rate(appliance_requests_total[5m])) > 0.01",
                        "More than 1 % of requests fail with 5xx on {{ $labels.instance }}",
                        "{{ $value | humanizePercentage }} of requests ended in a server error over 5 minutes."),
                rule("ApplianceQueueBacklog", "warning", "5m",
                        "sum by (instance) (" + ApplianceQueries.QUEUE_METRIC + ") > 500",
                        "More than 500 requests wait on {{ $labels.instance }}",
                        "{{ $value }} requests wait for a batch slot or KV memory: add replicas or shed load."),
                rule("ApplianceTimePerOutputTokenSlow", "warning", "10m",
                        "histogram_quantile(0.95, sum by (instance, le)"
                                + " (rate(appliance_time_per_output_token_seconds_bucket[5m]))) > " + number(tpot),
                        "Decoding is slow on {{ $labels.instance }}",
                        "p95 time per output token is {{ $value | humanizeDuration }}, target "
                                + Math.round(tpot * 1000) + " ms."),
                rule("ApplianceMemoryHigh", "warning", "5m",
                        "appliance_process_resident_memory_bytes > " + memoryAlert,
                        "Memory above 85 % of the plan on {{ $labels.instance }}",
                        "Resident memory is {{ $value | humanize1024 }}B of the " + t.memoryLimitBytes()
                                + " bytes the plan gives the process."),
                rule("ApplianceGpuTemperatureHigh", "critical", "2m",
                        "appliance_gpu_temperature_celsius > 85",
                        "GPU {{ $labels.gpu }} above 85 °C on {{ $labels.instance }}",
                        "GPU temperature is {{ $value }} °C: check cooling before the GPU throttles or shuts down."),
                rule("ApplianceSyncAgentOffline", "warning", "30m",
                        "appliance_sync_agent_offline == 1"
                                + " or (time() - appliance_sync_agent_last_check_timestamp_seconds) > 3600",
                        "Model sync for {{ $labels.model }} is offline on {{ $labels.instance }}",
                        "No store answers the sync agent, or it has not checked for an hour (not running)."),
                rule("ApplianceModelCorrupt", "critical", null,
                        "appliance_sync_agent_state{state=\"corrupt\"} == 1",
                        "Model files of {{ $labels.model }} are corrupt on {{ $labels.instance }}",
                        "Verification found the active version's files changed and no intact version to switch to."),
                rule("ApplianceCertificateExpiring", "warning", "10m",
                        "appliance_certificate_expiry_timestamp_seconds - time() < 14 * 86400",
                        "The {{ $labels.use }} certificate of {{ $labels.instance }} expires within 14 days",
                        "Renew it: appliance provision renew (docs/provisioning.md, Fleet PKI)."))));
    }

    /** @param forDuration how long the condition must hold; null fires at the first evaluation */
    private static Map<String, Object> rule(String name, String severity, String forDuration, String expr,
                                            String summary, String description) {
        return map("alert", name, "expr", expr, "for", forDuration, "labels", map("severity", severity),
                "annotations", map("summary", summary, "description", description));
    }

    /** Plain decimal (0.15, not 1.5E-1), which PromQL reads either way but people read this one. */
    private static String number(double value) {
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }
}
