package ai.appliance.provisioning.deploy;

import ai.appliance.provisioning.plan.Plan;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static ai.appliance.provisioning.deploy.Yaml.map;

/**
 * A Docker Compose file for one box. Datacenter plans reserve their GPUs through
 * deploy.resources.reservations.devices (driver nvidia), one service per tensor-parallel replica with explicit
 * device ids so replicas never share a GPU; Jetson uses the nvidia container runtime (L4T mounts the iGPU);
 * CPU plans get no devices. plan.json and the device TLS folder sit beside the compose file.
 */
public final class ComposeRenderer {

    public String render(Plan plan, DeploySettings s) {
        var resources = HostResources.of(plan);
        var services = new LinkedHashMap<String, Object>();
        int replicas = "datacenter".equals(plan.backend()) ? Math.max(1, plan.replicas()) : 1;
        for (int r = 0; r < replicas; r++) {
            var name = replicas == 1 ? s.name() : s.name() + "-" + r;
            services.put(name, service(plan, s, resources, r));
        }
        var doc = map(
                "name", s.name(),
                "services", services,
                "volumes", map("models", map("name", s.name() + "-models")));
        return Yaml.write(doc);
    }

    private static Map<String, Object> service(Plan plan, DeploySettings s, HostResources r, int replica) {
        var reservations = new LinkedHashMap<String, Object>();
        reservations.put("memory", HostResources.quantity(r.memoryRequestBytes()).replace("Mi", "M"));
        if (r.gpus() > 0) {
            var ids = new ArrayList<String>();
            for (int g = 0; g < r.gpus(); g++) ids.add(Integer.toString(replica * r.gpus() + g));
            reservations.put("devices", List.of(map("driver", "nvidia", "device_ids", ids,
                    "capabilities", List.of("gpu"))));
        }
        int port = s.port() + replica;
        int health = s.healthPort() + replica;
        return map(
                "image", s.image(),
                "command", List.of(s.serveArguments()),
                "restart", "unless-stopped",
                "runtime", "jetson".equals(plan.backend()) ? "nvidia" : null,
                "ports", List.of(port + ":" + s.port(), "127.0.0.1:" + health + ":" + s.healthPort()),
                "volumes", List.of("./plan.json:" + s.planPath() + ":ro", "./tls:" + s.tlsDirectory() + ":ro",
                        "models:" + s.modelDirectory()),
                "read_only", true,
                "tmpfs", List.of("/tmp"),
                "shm_size", plan.tensorParallel() > 1 ? "16gb" : "1gb",
                "security_opt", List.of("no-new-privileges:true"),
                "cap_drop", List.of("ALL"),
                "user", "10001:10001",
                "stop_grace_period", "90s",
                // The image has no shell and no curl: the health check runs the appliance's own probe command.
                "healthcheck", map(
                        "test", List.of("CMD", s.installDirectory() + "/jre/bin/java", "-cp", "@/app/jib-classpath-file",
                                "ai.appliance.runtime.cli.Main", "provision", "probe",
                                "http://127.0.0.1:" + s.healthPort() + "/health/live"),
                        "interval", "30s", "timeout", "10s", "retries", 3, "start_period", "15m"),
                "logging", map("driver", "json-file", "options", map("max-size", "50m", "max-file", "5")),
                "deploy", map("resources", map(
                        "limits", map("memory", HostResources.quantity(r.memoryLimitBytes()).replace("Mi", "M")),
                        "reservations", reservations)));
    }
}
