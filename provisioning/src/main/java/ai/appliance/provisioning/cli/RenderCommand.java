package ai.appliance.provisioning.cli;

import ai.appliance.provisioning.deploy.ComposeRenderer;
import ai.appliance.provisioning.deploy.DeploySettings;
import ai.appliance.provisioning.deploy.KubernetesRenderer;
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
import java.util.Map;

@Command(name = "render", mixinStandardHelpOptions = true,
        description = "Render deploy artifacts from a plan: systemd (unit + supervisor), k8s (manifests), compose.")
final class RenderCommand extends ProvisionStep {

    enum Target { systemd, k8s, compose }

    @Parameters(index = "0", description = "systemd, k8s or compose") Target target;
    @Option(names = "--plan", required = true, description = "plan.json from `provision plan`.") Path plan;
    @Option(names = "--out", required = true, description = "Output folder.") Path outDir;
    @Option(names = "--image", description = "Container image (k8s, compose).") String image;
    @Option(names = "--name", defaultValue = "appliance") String name;
    @Option(names = "--namespace", defaultValue = "appliance") String namespace;

    @Override
    protected int execute() throws Exception {
        var p = JsonFiles.read(plan, Plan.class);
        var settings = DeploySettings.defaults().withName(name, namespace);
        if (image != null) settings = settings.withImage(image);
        Map<String, String> files = switch (target) {
            case systemd -> new SystemdUnitRenderer().render(p, settings);
            case k8s -> Map.of("appliance.yaml", new KubernetesRenderer().render(p, settings));
            case compose -> Map.of("compose.yaml", new ComposeRenderer().render(p, settings),
                    "plan.json", JsonFiles.write(p));
        };
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
