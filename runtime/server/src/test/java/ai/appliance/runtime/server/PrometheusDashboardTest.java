package ai.appliance.runtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.appliance.provisioning.deploy.ApplianceQueries;
import ai.appliance.provisioning.deploy.GrafanaDashboardRenderer;
import ai.appliance.provisioning.pki.DeviceCredentials;
import ai.appliance.provisioning.pki.FleetCa;
import ai.appliance.provisioning.pki.TlsContexts;
import ai.appliance.provisioning.pki.TlsSettings;
import ai.appliance.runtime.models.DemoModel;
import ai.appliance.sync.agent.AgentState;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus (Debian's, scraping every second) scrapes a running appliance over mTLS while it serves the demo
 * model; every query of the shipped Grafana dashboard, and the KEDA ScaledObject's queue query, then returns data
 * through Prometheus' HTTP API. A renamed series or a broken query fails here, not on a fleet.
 */
class PrometheusDashboardTest {

    /** The scrape job, named like the Kubernetes Service whose ServiceMonitor job KEDA's query selects. */
    private static final String JOB = "appliance";

    @Test
    void everyDashboardQueryAndTheAutoscalerQueryReturnDataFromARealPrometheus(@TempDir Path dir) throws Exception {
        PrometheusServer.requireBinary();
        var ca = FleetCa.init(dir.resolve("ca"), "test-fleet", Clock.systemUTC());
        var device = new DeviceCredentials(dir.resolve("device"));
        device.enroll(ca, "box-1", "edge", List.of("localhost"), List.of("127.0.0.1"));
        var scraper = new DeviceCredentials(dir.resolve("scraper"));
        scraper.enroll(ca, "prometheus", "edge", List.of(), List.of());

        var statuses = new TreeMap<Integer, Integer>();
        try (var harness = Harness.start(dir, Map.of("models", "none", "server.tls.settings",
                device.settingsFile().toString()))) {
            int port = harness.appliance.server().port();
            writeSyncAgentState(harness.dir.resolve("store"));
            var https = HttpClient.newBuilder().sslContext(TlsContexts.create(TlsSettings.read(scraper.settingsFile())))
                    .connectTimeout(Duration.ofSeconds(5)).build();
            var base = URI.create("https://localhost:" + port);

            var config = """
                    global: {scrape_interval: 1s, evaluation_interval: 1s}
                    scrape_configs:
                      - job_name: %s
                        scheme: https
                        tls_config: {ca_file: %s, cert_file: %s, key_file: %s, server_name: localhost}
                        static_configs: [{targets: ['127.0.0.1:%d']}]
                    """.formatted(JOB, scraper.trustBundleFile(), scraper.certificateFile(), scraper.keyFile(), port);
            try (var prometheus = PrometheusServer.start(dir.resolve("prometheus"), config)) {
                var queries = new LinkedHashSet<String>();
                GrafanaDashboardRenderer.panels().forEach(p -> p.queries().forEach(q -> queries.add(q.expr())));
                queries.add(ApplianceQueries.queueBacklog(JOB));

                // Real requests against the demo model keep flowing while Prometheus scrapes, so rates and latency
                // quantiles have something to show.
                var stop = new AtomicBoolean();
                var served = new AtomicInteger();
                var load = Thread.ofVirtual().start(() -> {
                    while (!stop.get()) {
                        try {
                            var res = https.send(HttpRequest.newBuilder(base.resolve("/v1/chat/completions"))
                                    .timeout(Duration.ofSeconds(60)).header("content-type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + DemoModel.NAME
                                            + "\",\"max_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                                    .build(), HttpResponse.BodyHandlers.ofString());
                            synchronized (statuses) {
                                statuses.merge(res.statusCode(), 1, Integer::sum);
                            }
                            served.incrementAndGet();
                        } catch (Exception e) {
                            synchronized (statuses) {
                                statuses.merge(-1, 1, Integer::sum);
                            }
                        }
                    }
                });
                Map<String, JsonNode> missing = new TreeMap<>();
                try {
                    // Poll until every query has a finite sample; bounded, and no timing is asserted.
                    for (int attempt = 0; attempt < 120; attempt++) {
                        missing.clear();
                        for (var q : queries) {
                            var result = prometheus.query(q);
                            if (!hasFiniteSample(result)) {
                                missing.put(q, result);
                            }
                        }
                        if (missing.isEmpty()) {
                            break;
                        }
                        Thread.sleep(1000);
                    }
                } finally {
                    stop.set(true);
                    load.join();
                }
                if (!missing.isEmpty()) {
                    fail("queries without data: " + missing + "\nrequests " + statuses + "\ntargets "
                            + prometheus.targets() + "\nprometheus log " + prometheus.log());
                }
                assertTrue(served.get() > 0);
            }
        }
        assertEquals(List.of(200), List.copyOf(statuses.keySet()), "every request served: " + statuses);
    }

    /** What the sync agent writes beside the models it manages (docs/formats.md §8). */
    private static void writeSyncAgentState(Path store) throws Exception {
        var file = store.resolve("models/qwen2-1.5b/agent-state.json");
        Files.createDirectories(file.getParent());
        var now = Instant.now().toString();
        Files.write(file, new ObjectMapper().writeValueAsBytes(new AgentState("qwen2-1.5b", "v2", List.of("v1"),
                Map.of(), "confirmed", 1.0, null, null, now, now, "v2", null, null, "s3://models", 1_048_576)));
    }

    private static boolean hasFiniteSample(JsonNode result) {
        for (var sample : result) {
            var value = sample.at("/value/1").asText();
            if (!value.equals("NaN") && !value.endsWith("Inf")) {
                return true;
            }
        }
        return false;
    }
}
