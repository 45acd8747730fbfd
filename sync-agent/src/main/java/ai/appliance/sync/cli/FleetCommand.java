package ai.appliance.sync.cli;

import ai.appliance.sync.fleet.FleetStatus;
import ai.appliance.sync.util.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

@Command(name = "fleet", mixinStandardHelpOptions = true, description = "Fleet views from the devices' MQTT state reports.",
        subcommands = FleetCommand.Status.class)
final class FleetCommand implements Runnable {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Summarise a device group: versions, states, errors.")
    static final class Status extends SyncSubcommand {
        @Option(names = "--mqtt", required = true, description = "Broker URI.") String mqtt;
        @Option(names = "--group", defaultValue = "stable") String group;
        @Option(names = "--wait", defaultValue = "PT2S", description = "How long to collect retained reports.") Duration wait;
        @Option(names = "--json") boolean json;

        @Override
        int execute() {
            var s = FleetStatus.collect(mqtt, group, wait);
            if (json) {
                out().println(new String(Json.writePretty(s), StandardCharsets.UTF_8));
                return 0;
            }
            out().printf("group %s: %d device(s)%n", s.group(), s.devices());
            s.byVersion().forEach((v, n) -> out().printf("  version %-20s %d%n", v, n));
            s.byState().forEach((st, n) -> out().printf("  state   %-20s %d%n", st, n));
            s.reports().stream().filter(r -> r.lastError() != null)
                    .forEach(r -> out().printf("  %s: %s%n", r.deviceId(), r.lastError()));
            return 0;
        }
    }
}
