package ai.appliance.provisioning.deploy;

import ai.appliance.provisioning.json.JsonFiles;
import ai.appliance.provisioning.plan.Plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static ai.appliance.provisioning.deploy.Yaml.map;

/**
 * Kubernetes manifests for a plan. {@code appliance.yaml}: ConfigMap (plan.json), Deployment (probes, GPU and memory
 * resources, anti-affinity, hardened security context, references to Secrets it does not create), Service,
 * PodDisruptionBudget, and for the Prometheus Operator a ServiceMonitor and a PrometheusRule with the alert rules.
 * Autoscaling on the queue comes in two alternatives, apply one: {@code autoscaling-keda.yaml} (a KEDA ScaledObject
 * querying Prometheus) or {@code autoscaling-hpa.yaml} (an HPA on a Pods metric served by prometheus-adapter).
 * Either way readiness decides which pods get traffic: a pod the autoscaler added takes requests only once its
 * model is loaded.
 */
public final class KubernetesRenderer {

    public static final String MANIFESTS = "appliance.yaml";
    public static final String KEDA = "autoscaling-keda.yaml";
    public static final String HPA = "autoscaling-hpa.yaml";
    public static final String TLS_SECRET = "appliance-device-tls";
    public static final String STORE_SECRET = "appliance-store-credentials";

    public Map<String, String> render(Plan plan, DeploySettings s, MonitoringSettings monitoring) {
        var resources = HostResources.of(plan);
        var labels = map("app.kubernetes.io/name", s.name(), "app.kubernetes.io/component", "llm-runtime");
        var docs = new ArrayList<Map<String, Object>>();
        docs.add(map("apiVersion", "v1", "kind", "ConfigMap",
                "metadata", metadata(s, labels, "-plan"),
                "data", map("plan.json", JsonFiles.write(plan))));
        docs.add(deployment(plan, s, resources, labels));
        docs.add(map("apiVersion", "v1", "kind", "Service",
                "metadata", metadata(s, labels, ""),
                "spec", map("type", "ClusterIP", "selector", labels,
                        "ports", List.of(map("name", "https", "port", s.port(), "targetPort", "https"),
                                map("name", "health", "port", s.healthPort(), "targetPort", "health")))));
        docs.add(map("apiVersion", "policy/v1", "kind", "PodDisruptionBudget",
                "metadata", metadata(s, labels, ""),
                "spec", map("minAvailable", 1, "selector", map("matchLabels", labels))));
        // The Operator names the scrape job after the Service, which is what ApplianceQueries.queueBacklog selects.
        docs.add(map("apiVersion", "monitoring.coreos.com/v1", "kind", "ServiceMonitor",
                "metadata", metadata(s, labels, ""),
                "spec", map("selector", map("matchLabels", labels),
                        "endpoints", List.of(map("port", "health", "path", "/metrics", "scheme", "http",
                                "interval", "15s")))));
        docs.add(map("apiVersion", "monitoring.coreos.com/v1", "kind", "PrometheusRule",
                "metadata", metadata(s, labels, ""),
                "spec", map("groups", new AlertRulesRenderer().groups(
                        AlertThresholds.forPlan(plan, monitoring.timePerOutputTokenTarget())))));

        int minReplicas = Math.max(1, plan.replicas());
        int maxReplicas = s.maxReplicas() > 0 ? s.maxReplicas() : 4 * minReplicas;
        // Scale out when more requests wait per pod than one full batch can absorb.
        var perPodTarget = Integer.toString(plan.maxSequences());
        var target = map("apiVersion", "apps/v1", "kind", "Deployment", "name", s.name());
        var keda = map("apiVersion", "keda.sh/v1alpha1", "kind", "ScaledObject",
                "metadata", metadata(s, labels, ""),
                "spec", map("scaleTargetRef", map("name", s.name()),
                        "minReplicaCount", minReplicas, "maxReplicaCount", maxReplicas,
                        "pollingInterval", 15, "cooldownPeriod", 600,
                        "advanced", map("horizontalPodAutoscalerConfig", map("behavior", scaleDownSlowly())),
                        "triggers", List.of(map("type", "prometheus", "metadata", map(
                                "serverAddress", monitoring.prometheusUrl(),
                                "query", ApplianceQueries.queueBacklog(s.name()),
                                "threshold", perPodTarget)))));
        var hpa = map("apiVersion", "autoscaling/v2", "kind", "HorizontalPodAutoscaler",
                "metadata", metadata(s, labels, ""),
                "spec", map("scaleTargetRef", target,
                        "minReplicas", minReplicas, "maxReplicas", maxReplicas,
                        "metrics", List.of(map("type", "Pods", "pods", map(
                                "metric", map("name", ApplianceQueries.QUEUE_METRIC),
                                "target", map("type", "AverageValue", "averageValue", perPodTarget)))),
                        "behavior", scaleDownSlowly()));
        return Map.of(MANIFESTS, Yaml.documents(docs), KEDA, Yaml.write(keda), HPA, Yaml.write(hpa));
    }

    /** GPU pods take minutes to load: scale down slowly so a lull does not throw them away. */
    private static Map<String, Object> scaleDownSlowly() {
        return map("scaleDown", map("stabilizationWindowSeconds", 600));
    }

    private static Map<String, Object> metadata(DeploySettings s, Map<String, Object> labels, String suffix) {
        return map("name", s.name() + suffix, "namespace", s.namespace(), "labels", labels);
    }

    private static Map<String, Object> deployment(Plan plan, DeploySettings s, HostResources r,
                                                  Map<String, Object> labels) {
        boolean gpu = r.gpus() > 0;
        var requests = map("cpu", Integer.toString(r.cpuRequest()), "memory", HostResources.quantity(r.memoryRequestBytes()),
                "nvidia.com/gpu", gpu ? Integer.toString(r.gpus()) : null);
        var limits = map("memory", HostResources.quantity(r.memoryLimitBytes()),
                "nvidia.com/gpu", gpu ? Integer.toString(r.gpus()) : null);
        var container = map(
                "name", "runtime",
                "image", s.image(),
                "args", List.of(s.serveArguments()),
                "ports", List.of(map("name", "https", "containerPort", s.port()),
                        map("name", "health", "containerPort", s.healthPort())),
                // The image's entry point already runs java with -XX:+ExitOnOutOfMemoryError (Jib profile).
                "env", List.of(
                        map("name", "AWS_ACCESS_KEY_ID", "valueFrom", map("secretKeyRef",
                                map("name", STORE_SECRET, "key", "access-key-id", "optional", true))),
                        map("name", "AWS_SECRET_ACCESS_KEY", "valueFrom", map("secretKeyRef",
                                map("name", STORE_SECRET, "key", "secret-access-key", "optional", true)))),
                "resources", map("requests", requests, "limits", limits),
                // Startup: up to 15 minutes for the model to load before liveness starts counting.
                "startupProbe", httpProbe("/health/live", s, 10, 90),
                "livenessProbe", httpProbe("/health/live", s, 10, 3),
                "readinessProbe", httpProbe("/health/ready", s, 5, 2),
                "securityContext", map("runAsNonRoot", true, "runAsUser", 10001, "allowPrivilegeEscalation", false,
                        "readOnlyRootFilesystem", true, "capabilities", map("drop", List.of("ALL")),
                        "seccompProfile", map("type", "RuntimeDefault")),
                "volumeMounts", List.of(
                        map("name", "plan", "mountPath", s.configDirectory() + "/plan.json", "subPath", "plan.json",
                                "readOnly", true),
                        map("name", "tls", "mountPath", s.tlsDirectory(), "readOnly", true),
                        map("name", "models", "mountPath", s.modelDirectory()),
                        map("name", "tmp", "mountPath", "/tmp"),
                        map("name", "shm", "mountPath", "/dev/shm")));
        var volumes = List.of(
                map("name", "plan", "configMap", map("name", s.name() + "-plan")),
                map("name", "tls", "secret", map("secretName", TLS_SECRET, "defaultMode", 0400)),
                map("name", "models", "persistentVolumeClaim", map("claimName", s.name() + "-models")),
                map("name", "tmp", "emptyDir", map("sizeLimit", "1Gi")),
                // NCCL exchanges tensor-parallel buffers through /dev/shm.
                map("name", "shm", "emptyDir", map("medium", "Memory",
                        "sizeLimit", plan.tensorParallel() > 1 ? "16Gi" : "1Gi")));
        var affinity = map("podAntiAffinity", map("preferredDuringSchedulingIgnoredDuringExecution", List.of(
                map("weight", 100, "podAffinityTerm", map("topologyKey", "kubernetes.io/hostname",
                        "labelSelector", map("matchLabels", labels))))));
        var podSpec = map(
                "terminationGracePeriodSeconds", 90,
                "securityContext", map("fsGroup", 10001),
                "affinity", affinity,
                "nodeSelector", gpu ? map("nvidia.com/gpu.present", "true") : null,
                "tolerations", gpu ? List.of(map("key", "nvidia.com/gpu", "operator", "Exists", "effect",
                        "NoSchedule")) : null,
                "containers", List.of(container),
                "volumes", volumes);
        return map("apiVersion", "apps/v1", "kind", "Deployment",
                "metadata", map("name", s.name(), "namespace", s.namespace(), "labels", labels),
                "spec", map("replicas", Math.max(1, plan.replicas()),
                        "selector", map("matchLabels", labels),
                        // A GPU pod cannot surge onto GPUs it does not have: replace one at a time.
                        "strategy", map("type", "RollingUpdate", "rollingUpdate", map("maxSurge", 0,
                                "maxUnavailable", 1)),
                        "template", map("metadata", map("labels", labels), "spec", podSpec)));
    }

    private static Map<String, Object> httpProbe(String path, DeploySettings s, int period, int failures) {
        // Probes use the plain health port: the kubelet has no fleet client certificate for the mTLS port.
        return map("httpGet", map("path", path, "port", "health", "scheme", "HTTP"),
                "periodSeconds", period, "timeoutSeconds", 5, "failureThreshold", failures);
    }
}
