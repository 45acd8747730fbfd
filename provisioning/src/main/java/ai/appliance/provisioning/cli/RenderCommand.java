package ai.appliance.provisioning.cli;

import ai.appliance.provisioning.deploy.AlertRulesRenderer;
import ai.appliance.provisioning.deploy.AlertThresholds;
import ai.appliance.provisioning.deploy.ComposeRenderer;
import ai.appliance.provisioning.deploy.DeploySettings;
import ai.appliance.provisioning.deploy.GrafanaDashboardRenderer;
import ai.appliance.provisioning.deploy.KubernetesRenderer;
import ai.appliance.provisioning.deploy.MonitoringSettings;
import ai.appliance.provisioning.deploy.SystemdUnitRenderer;
import ai.appliance.provisioning.json.JsonFiles;
import ai.appliance.provisioning.pki.SecureFiles;
import ai.appliance.provisioning.plan.Plan;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

@Command(name = "render", mixinStandardHelpOptions = true,
        description = "Render deploy artifacts from a plan: systemd (unit + supervisor), k8s (manifests, KEDA or HPA "
                + "autoscaling), compose; each beside Prometheus alert rules and a Grafana dashboard.")
final class RenderCommand extends ProvisionStep {

    enum Target { systemd, k8s, compose }

    static final String ALERT_RULES = "appliance-alerts.yaml";
    static final String DASHBOARD = "appliance-dashboard.json";

    @Parameters(index = "0", description = "systemd, k8s or compose") Target target;
    @Option(names = "--plan", required = true, description = "plan.json from `provision plan`.") Path plan;
    @Option(names = "--out", required = true, description = "Output folder.") Path outDir;
    @Option(names = "--image", description = "Container image (k8s, compose).") String image;
    @Option(names = "--name", defaultValue = "appliance") String name;
    @Option(names = "--namespace", defaultValue = "appliance") String namespace;
    @Option(names = "--tpot-target-ms", defaultValue = "150",
            description = "p95 time per output token above which the decode-latency alert fires (default ${DEFAULT-VALUE}).")
    long tpotTargetMs;
    @Option(names = "--prometheus-url", description = "Prometheus that KEDA queries (k8s; default: the Prometheus "
            + "Operator's service in namespace monitoring).") String prometheusUrl;

    @Override
    protected int execute() throws Exception {
        var p = JsonFiles.read(plan, Plan.class);
        var settings = DeploySettings.defaults().withName(name, namespace);
        if (image != null) settings = settings.withImage(image);
        if (tpotTargetMs <= 0) {
            throw new IllegalArgumentException("--tpot-target-ms must be positive, was " + tpotTargetMs);
        }
        var monitoring = new MonitoringSettings(
                prometheusUrl != null ? prometheusUrl : MonitoringSettings.defaults().prometheusUrl(),
                Duration.ofMillis(tpotTargetMs));
        var files = new TreeMap<String, String>(switch (target) {
            case systemd -> new SystemdUnitRenderer().render(p, settings);
            case k8s -> new KubernetesRenderer().render(p, settings, monitoring);
            case compose -> Map.of("compose.yaml", new ComposeRenderer().render(p, settings),
                    "plan.json", JsonFiles.write(p));
        });
        files.put(ALERT_RULES, new AlertRulesRenderer().render(
                AlertThresholds.forPlan(p, monitoring.timePerOutputTokenTarget())));
        files.put(DASHBOARD, new GrafanaDashboardRenderer().render());
        for (var e : files.entrySet()) {
            var file = outDir.resolve(e.getKey());
            SecureFiles.writePublic(file, e.getValue());
            if (e.getKey().endsWith(".sh")) {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
            out().println("wrote " + file);
        }
        return 0;
    }
}
