package ai.appliance.provisioning.deploy;

import ai.appliance.provisioning.plan.ModelCatalog;
import ai.appliance.provisioning.plan.Plan;
import ai.appliance.provisioning.plan.Planner;
import ai.appliance.provisioning.testing.RecordedReports;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class RenderedDeploymentTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private final DeploySettings settings = DeploySettings.defaults();

    private static Plan plan(String report) {
        return new Planner(ModelCatalog.deepSeekR1()).plan(RecordedReports.load(report));
    }

    private static List<JsonNode> documents(String yaml) throws Exception {
        var docs = new ArrayList<JsonNode>();
        try (var it = YAML.readerFor(JsonNode.class).<JsonNode>readValues(yaml)) {
            while (it.hasNext()) docs.add(it.next());
        }
        return docs;
    }

    private static JsonNode kind(List<JsonNode> docs, String kind) {
        return docs.stream().filter(d -> kind.equals(d.path("kind").asText())).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " document"));
    }

    private List<JsonNode> kubernetes(Plan plan, String file) throws Exception {
        var files = new KubernetesRenderer().render(plan, settings, MonitoringSettings.defaults());
        assertEquals(java.util.Set.of(KubernetesRenderer.MANIFESTS, KubernetesRenderer.KEDA, KubernetesRenderer.HPA),
                files.keySet());
        return documents(files.get(file));
    }

    @Test
    void kubernetesManifestsParseAndCarryProbesGpuLimitsMemoryAndMonitoring() throws Exception {
        var plan = plan("8x-h100-80gb");
        var docs = kubernetes(plan, KubernetesRenderer.MANIFESTS);
        assertEquals(List.of("ConfigMap", "Deployment", "Service", "PodDisruptionBudget", "ServiceMonitor",
                        "PrometheusRule"),
                docs.stream().map(d -> d.get("kind").asText()).toList());

        var deployment = kind(docs, "Deployment");
        assertEquals(2, deployment.at("/spec/replicas").asInt());
        var container = deployment.at("/spec/template/spec/containers/0");
        assertEquals("/health/live", container.at("/livenessProbe/httpGet/path").asText());
        assertEquals("/health/ready", container.at("/readinessProbe/httpGet/path").asText());
        assertEquals("health", container.at("/readinessProbe/httpGet/port").asText());
        assertEquals("4", container.at("/resources/limits/nvidia.com~1gpu").asText());
        assertEquals("4", container.at("/resources/requests/nvidia.com~1gpu").asText());
        var resources = HostResources.of(plan);
        assertEquals(HostResources.quantity(resources.memoryRequestBytes()), container.at("/resources/requests/memory").asText());
        assertEquals(HostResources.quantity(resources.memoryLimitBytes()), container.at("/resources/limits/memory").asText());
        assertTrue(container.at("/securityContext/readOnlyRootFilesystem").asBoolean());
        assertFalse(container.at("/securityContext/allowPrivilegeEscalation").asBoolean());
        assertEquals("kubernetes.io/hostname", deployment.at(
                "/spec/template/spec/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/0/podAffinityTerm/topologyKey").asText());
        assertEquals(KubernetesRenderer.TLS_SECRET, deployment.at("/spec/template/spec/volumes/1/secret/secretName").asText());

        var pdb = kind(docs, "PodDisruptionBudget");
        assertEquals(1, pdb.at("/spec/minAvailable").asInt());
        assertEquals(deployment.at("/spec/selector/matchLabels"), pdb.at("/spec/selector/matchLabels"));

        // Prometheus scrapes the Service's plain health port, where /metrics is; its job is the Service's name.
        var monitor = kind(docs, "ServiceMonitor");
        assertEquals("health", monitor.at("/spec/endpoints/0/port").asText());
        assertEquals("/metrics", monitor.at("/spec/endpoints/0/path").asText());
        var service = kind(docs, "Service");
        assertEquals("health", service.at("/spec/ports/1/name").asText());
        assertEquals(settings.healthPort(), service.at("/spec/ports/1/port").asInt());
        assertEquals(service.at("/spec/selector"), monitor.at("/spec/selector/matchLabels"));
        var alerts = new ArrayList<String>();
        kind(docs, "PrometheusRule").at("/spec/groups/0/rules").forEach(r -> alerts.add(r.get("alert").asText()));
        assertTrue(alerts.containsAll(List.of("ApplianceErrorRateHigh", "ApplianceQueueBacklog",
                "ApplianceTimePerOutputTokenSlow", "ApplianceMemoryHigh", "ApplianceGpuTemperatureHigh",
                "ApplianceSyncAgentOffline", "ApplianceModelCorrupt", "ApplianceCertificateExpiring")), alerts.toString());

        // The ConfigMap carries the plan itself, which reads back unchanged.
        var planJson = kind(docs, "ConfigMap").at("/data/plan.json").asText();
        assertEquals(plan, new ObjectMapper().readValue(planJson, Plan.class));
    }

    @Test
    void kedaScalesTheDeploymentOnTheSharedQueueQueryThroughPrometheus() throws Exception {
        var plan = plan("8x-h100-80gb");
        var scaled = kubernetes(plan, KubernetesRenderer.KEDA);
        assertEquals(1, scaled.size());
        var keda = scaled.getFirst();
        assertEquals("keda.sh/v1alpha1", keda.get("apiVersion").asText());
        assertEquals("ScaledObject", keda.get("kind").asText());
        assertEquals(settings.name(), keda.at("/spec/scaleTargetRef/name").asText());
        assertEquals(2, keda.at("/spec/minReplicaCount").asInt());
        assertEquals(8, keda.at("/spec/maxReplicaCount").asInt());
        var trigger = keda.at("/spec/triggers/0");
        assertEquals("prometheus", trigger.get("type").asText());
        assertEquals(ApplianceQueries.queueBacklog(settings.name()), trigger.at("/metadata/query").asText());
        assertEquals(MonitoringSettings.defaults().prometheusUrl(), trigger.at("/metadata/serverAddress").asText());
        assertEquals(Integer.toString(plan.maxSequences()), trigger.at("/metadata/threshold").asText());
    }

    @Test
    void theHpaAlternativeScalesOnTheQueueGaugePerPod() throws Exception {
        var plan = plan("8x-h100-80gb");
        var hpa = kubernetes(plan, KubernetesRenderer.HPA).getFirst();
        assertEquals("HorizontalPodAutoscaler", hpa.get("kind").asText());
        assertEquals(ApplianceQueries.QUEUE_METRIC, hpa.at("/spec/metrics/0/pods/metric/name").asText());
        assertEquals(Integer.toString(plan.maxSequences()), hpa.at("/spec/metrics/0/pods/target/averageValue").asText());
        assertEquals(2, hpa.at("/spec/minReplicas").asInt());
        assertEquals(600, hpa.at("/spec/behavior/scaleDown/stabilizationWindowSeconds").asInt());
    }

    @Test
    void theDashboardIsGrafanaJsonWithOnePanelPerSharedQuerySet() throws Exception {
        var dashboard = new ObjectMapper().readTree(new GrafanaDashboardRenderer().render());
        var panels = dashboard.get("panels");
        assertEquals(GrafanaDashboardRenderer.panels().size(), panels.size());
        for (int i = 0; i < panels.size(); i++) {
            var expected = GrafanaDashboardRenderer.panels().get(i);
            assertEquals(expected.title(), panels.get(i).get("title").asText());
            assertEquals(expected.queries().getFirst().expr(), panels.get(i).at("/targets/0/expr").asText());
        }
        var titles = new ArrayList<String>();
        panels.forEach(p -> titles.add(p.get("title").asText()));
        for (var topic : List.of("Requests", "Latency", "Queue", "KV cache", "Tokens per second", "Model versions",
                "Sync agent", "Certificate")) {
            assertTrue(titles.stream().anyMatch(t -> t.startsWith(topic)), topic + " in " + titles);
        }
    }

    @Test
    void cpuPlansRequestNoGpus() throws Exception {
        var docs = kubernetes(plan("cpu-only-i7-12700"), KubernetesRenderer.MANIFESTS);
        var container = kind(docs, "Deployment").at("/spec/template/spec/containers/0");
        assertTrue(container.at("/resources/limits/nvidia.com~1gpu").isMissingNode());
        assertTrue(kind(docs, "Deployment").at("/spec/template/spec/nodeSelector").isMissingNode());
        assertFalse(container.at("/resources/limits/memory").asText().isEmpty());
    }

    @Test
    void composeReservesDistinctNvidiaGpusPerTensorParallelReplica() throws Exception {
        var doc = documents(new ComposeRenderer().render(plan("8x-h100-80gb"), settings)).getFirst();
        var services = doc.get("services");
        assertEquals(2, services.size());
        var first = services.get("appliance-0");
        var devices = first.at("/deploy/resources/reservations/devices/0");
        assertEquals("nvidia", devices.get("driver").asText());
        assertEquals(List.of("0", "1", "2", "3"), strings(devices.get("device_ids")));
        assertEquals(List.of("4", "5", "6", "7"),
                strings(services.get("appliance-1").at("/deploy/resources/reservations/devices/0/device_ids")));
        assertEquals("gpu", devices.at("/capabilities/0").asText());
        assertTrue(first.get("read_only").asBoolean());
        assertEquals("no-new-privileges:true", first.at("/security_opt/0").asText());
        assertTrue(first.at("/healthcheck/test").toString().contains("/health/live"));
        assertFalse(first.at("/deploy/resources/limits/memory").asText().isEmpty());
    }

    @Test
    void composeOnJetsonUsesTheNvidiaRuntimeAndCpuGetsNoDevices() throws Exception {
        var jetson = documents(new ComposeRenderer().render(plan("jetson-orin-nano-8gb"), settings)).getFirst();
        assertEquals("nvidia", jetson.at("/services/appliance/runtime").asText());
        assertTrue(jetson.at("/services/appliance/deploy/resources/reservations/devices").isMissingNode());
        var cpu = documents(new ComposeRenderer().render(plan("cpu-only-i7-12700"), settings)).getFirst();
        assertTrue(cpu.at("/services/appliance/runtime").isMissingNode());
        assertTrue(cpu.at("/services/appliance/deploy/resources/reservations/devices").isMissingNode());
    }

    @Test
    void systemdUnitCarriesHardeningRestartAndWatchdog() {
        var files = new SystemdUnitRenderer().render(plan("rtx-4090"), settings);
        var unit = directives(files.get("appliance.service"));
        for (var expected : Map.of("NoNewPrivileges", "yes", "ProtectSystem", "strict", "ProtectHome", "yes",
                "PrivateTmp", "yes", "Restart", "always", "Type", "notify", "NotifyAccess", "all",
                "WatchdogSec", "60", "CapabilityBoundingSet", "", "DevicePolicy", "closed").entrySet()) {
            assertEquals(expected.getValue(), unit.get(expected.getKey()), expected.getKey());
        }
        for (var key : List.of("ProtectKernelTunables", "ProtectKernelModules", "ProtectControlGroups",
                "RestrictSUIDSGID", "LockPersonality", "RestrictNamespaces")) {
            assertEquals("yes", unit.get(key), key);
        }
        var resources = HostResources.of(plan("rtx-4090"));
        assertEquals(Long.toString(resources.memoryLimitBytes()), unit.get("MemoryMax"));
        assertTrue(unit.get("ExecStart").contains("--plan /etc/appliance/plan.json"));
        var script = files.get("appliance-supervise.sh");
        assertTrue(script.contains("systemd-notify WATCHDOG=1"));
        assertTrue(script.contains("/health/live") && script.contains("/health/ready"));

        var cpuUnit = directives(new SystemdUnitRenderer().render(plan("cpu-only-i7-12700"), settings)
                .get("appliance.service"));
        assertEquals("yes", cpuUnit.get("PrivateDevices"));
    }

    /** key=value lines of a unit file (the last value wins, as systemd's does for these keys). */
    private static Map<String, String> directives(String unit) {
        var map = new HashMap<String, String>();
        for (var line : unit.split("\n")) {
            line = line.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith("[")) continue;
            int eq = line.indexOf('=');
            assertTrue(eq > 0, "not a directive: " + line);
            map.put(line.substring(0, eq), line.substring(eq + 1));
        }
        return map;
    }

    private static List<String> strings(JsonNode array) {
        var out = new ArrayList<String>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
