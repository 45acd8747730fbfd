package ai.appliance.provisioning.deploy;

/**
 * What the renderers need beyond the plan: names, image, paths and port. Defaults match the Jib image layout
 * (docs/provisioning.md, "Container image").
 *
 * @param planPath where the unit / container reads plan.json
 * @param tlsDirectory the device credentials folder (tls.yaml and its PEM files)
 * @param modelDirectory where model files (plain or .enc) live
 * @param port HTTPS (mTLS per tls.yaml) API port; {@code healthPort} serves /health/live, /health/ready and /metrics
 *        in plain HTTP, because kubelet, compose and the systemd supervisor cannot present a fleet certificate
 */
public record DeploySettings(String name, String namespace, String image, int port, int healthPort,
                             String installDirectory,
                             String configDirectory, String planPath, String tlsDirectory, String modelDirectory,
                             String stateDirectory, String user, int maxReplicas) {

    public static DeploySettings defaults() {
        return new DeploySettings("appliance", "appliance", "registry.local/appliance/runtime:0.1.0", 8443, 8081,
                "/opt/appliance", "/etc/appliance", "/etc/appliance/plan.json", "/etc/appliance/tls",
                "/var/lib/appliance/models", "/var/lib/appliance", "appliance", 0);
    }

    public DeploySettings withImage(String image) {
        return new DeploySettings(name, namespace, image, port, healthPort, installDirectory, configDirectory, planPath,
                tlsDirectory, modelDirectory, stateDirectory, user, maxReplicas);
    }

    public DeploySettings withName(String name, String namespace) {
        return new DeploySettings(name, namespace, image, port, healthPort, installDirectory, configDirectory, planPath,
                tlsDirectory, modelDirectory, stateDirectory, user, maxReplicas);
    }

    /** The server command line every target runs. */
    String[] serveArguments() {
        return new String[]{"serve", "--plan", planPath, "--tls", tlsDirectory + "/tls.yaml", "--models",
                modelDirectory, "--port", Integer.toString(port), "--health-port", Integer.toString(healthPort)};
    }
}
