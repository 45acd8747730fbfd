package ai.appliance.runtime.cli;

import ai.appliance.runtime.server.ServeShutdown;
import ai.appliance.runtime.server.Appliance;
import ai.appliance.runtime.config.ApplianceConfig;
import ai.appliance.runtime.serving.ModelLoader;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code appliance serve}: runs the appliance until SIGTERM/SIGINT, then shuts down gracefully. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve models over REST (OpenAI API), WebSocket, gRPC and MQTT. With no config: loopback only, "
                + "store in ./store, embedded MQTT broker, and a demo model if the store holds none. See docs/api.md.")
public final class ServeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, description = "YAML config file (docs/api.md lists every key)")
    Path config;

    @Option(names = "--host", description = "listen address (overrides server.host)")
    String host;

    @Option(names = "--port", description = "HTTP port (overrides server.port)")
    Integer port;

    @Option(names = "--store", description = "local model store folder (overrides store.root)")
    Path store;

    @Override
    public Integer call() {
        var err = spec.commandLine().getErr();
        var overrides = new LinkedHashMap<String, String>();
        if (host != null) {
            overrides.put("server.host", host);
        }
        if (port != null) {
            overrides.put("server.port", port.toString());
        }
        if (store != null) {
            overrides.put("store.root", store.toString());
        }
        var shutdown = new ServeShutdown(err);
        var hook = new Thread(shutdown::run, "serve-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        Appliance appliance = null;
        try {
            appliance = Appliance.start(ApplianceConfig.load(Optional.ofNullable(config), overrides));
        } catch (IllegalArgumentException | IllegalStateException | ModelLoader.ModelLoadException
                 | java.io.UncheckedIOException e) {
            err.println("serve: " + e.getMessage());
            return 1;
        } catch (RuntimeException e) {
            err.println("serve: cannot start: " + e);
            return 1;
        } finally {
            if (appliance == null) {
                shutdown.startFailed();
                removeHook(hook);
            } else {
                shutdown.started(appliance);
            }
        }
        if (!shutdown.stopping()) {
            var s = appliance.server();
            var upstreams = s.frontDoor().inference().remotes().stream().map(r -> r.name()).toList();
            spec.commandLine().getOut().println("appliance ready: " + s.baseUrl() + " models "
                    + s.catalog().list().stream().map(m -> m.name() + "@" + m.version()).toList()
                    + (upstreams.isEmpty() ? "" : ", upstreams " + upstreams)
                    + (s.grpcPort() > 0 ? ", gRPC port " + s.grpcPort() : "")
                    + (appliance.gateway() != null ? ", MQTT topics " + appliance.gateway().topicPrefix() + "/v1/#" : ""));
            spec.commandLine().getOut().flush();
        }
        try {
            shutdown.awaitStopped();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // The hook is running or about to: it sees the failed start and returns at once.
        }
    }
}
