package ai.appliance.provisioning.deploy;

import ai.appliance.provisioning.json.JsonFiles;

import java.util.ArrayList;
import java.util.List;

import static ai.appliance.provisioning.deploy.ApplianceQueries.*;
import static ai.appliance.provisioning.deploy.Yaml.map;

/**
 * The fleet's Grafana dashboard (JSON model, importable as is): traffic, latency, queue, KV use, tokens/s, model
 * versions, sync and certificate state, one time-series panel each, over a Prometheus data source chosen at
 * import ({@code ${datasource}}).
 */
public final class GrafanaDashboardRenderer {

    public static final String UID = "appliance-fleet";

    /** Every panel, in dashboard order; the server's Prometheus test runs each query. */
    public static List<DashboardPanel> panels() {
        return List.of(
                DashboardPanel.of("Requests by front end and status", "reqps", REQUEST_RATE, "{{frontend}} {{status}}"),
                DashboardPanel.of("Error ratio (5xx)", "percentunit", ERROR_RATIO, "5xx"),
                new DashboardPanel("Latency p95", "s", List.of(
                        new DashboardPanel.Query(TIME_TO_FIRST_TOKEN_P95, "time to first token"),
                        new DashboardPanel.Query(TIME_PER_OUTPUT_TOKEN_P95, "time per output token"))),
                new DashboardPanel("Queue", "short", List.of(
                        new DashboardPanel.Query(QUEUE_REQUESTS, "waiting {{model}} {{version}}"),
                        new DashboardPanel.Query(RUNNING_SEQUENCES, "running {{model}} {{version}}"))),
                DashboardPanel.of("Queue wait p95", "s", QUEUE_WAIT_P95, "p95"),
                DashboardPanel.of("KV cache use", "percentunit", KV_CACHE_USAGE, "{{instance}}"),
                new DashboardPanel("Tokens per second", "short", List.of(
                        new DashboardPanel.Query(OUTPUT_TOKENS_PER_SECOND, "generated"),
                        new DashboardPanel.Query(PROMPT_TOKENS_PER_SECOND, "prompt"))),
                DashboardPanel.of("Model versions (traffic share)", "percentunit", MODEL_TRAFFIC,
                        "{{model}} {{version}} demo={{demo}}"),
                DashboardPanel.of("Sync agent state", "short", SYNC_STATE, "{{instance}} {{model}} {{state}}"),
                DashboardPanel.of("Sync download rate", "Bps", SYNC_BYTES_PER_SECOND, "{{model}}"),
                DashboardPanel.of("Certificate days left", "d", CERTIFICATE_DAYS_LEFT, "{{instance}} {{use}}"),
                DashboardPanel.of("MQTT gateway connected", "short", MQTT_CONNECTED, "{{instance}}"),
                DashboardPanel.of("Resident memory", "bytes", RESIDENT_MEMORY, "{{instance}}"));
    }

    public String render() {
        var panels = new ArrayList<Object>();
        int id = 1;
        for (var p : panels()) {
            int index = id - 1;
            var targets = new ArrayList<Object>();
            for (int q = 0; q < p.queries().size(); q++) {
                var query = p.queries().get(q);
                targets.add(map("refId", String.valueOf((char) ('A' + q)), "expr", query.expr(),
                        "legendFormat", query.legend(), "datasource", datasource()));
            }
            panels.add(map("id", id++, "type", "timeseries", "title", p.title(), "datasource", datasource(),
                    "gridPos", map("x", index % 2 * 12, "y", index / 2 * 8, "w", 12, "h", 8),
                    "fieldConfig", map("defaults", map("unit", p.unit()), "overrides", List.of()),
                    "targets", targets));
        }
        var dashboard = map(
                "uid", UID,
                "title", "Appliance fleet",
                "tags", List.of("appliance", "llm"),
                "schemaVersion", 39,
                "refresh", "30s",
                "time", map("from", "now-6h", "to", "now"),
                "templating", map("list", List.of(map("name", "datasource", "label", "Prometheus",
                        "type", "datasource", "query", "prometheus"))),
                "panels", panels);
        return JsonFiles.write(dashboard);
    }

    private static Object datasource() {
        return map("type", "prometheus", "uid", "${datasource}");
    }
}
