package ai.appliance.sync.cli;

import ai.appliance.common.ProgressBar;
import ai.appliance.sync.agent.AgentState;
import ai.appliance.sync.agent.SyncAgent;
import ai.appliance.sync.agent.SyncConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the sync agent: follow the channel, download and verify, switch atomically, roll back on runtime failure.")
final class RunCommand extends SyncSubcommand {
    @Mixin StoreRootOption where;
    @Option(names = "--once", description = "One pass, then exit (exit 0 when every model is on its desired version).") boolean once;
    @Option(names = "--parallel", description = "Parallel chunk downloads.") Integer parallel;
    @Option(names = "--bandwidth", description = "Download cap in bytes per second (0 = none).") Long bandwidth;
    @Option(names = "--poll", description = "Poll interval, ISO-8601 (e.g. PT5M).") Duration poll;
    @Option(names = "--mqtt", description = "Broker URI for wake-ups and state reports.") String mqtt;
    @Option(names = "--group", description = "Device group reported over MQTT (default: the model's channel).") String group;

    @Override
    int execute() throws java.io.IOException {
        try {
            return runAgent();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
    }

    private int runAgent() throws InterruptedException {
        var cfg = where.config();
        if (parallel != null) cfg = cfg.withParallelism(parallel);
        if (bandwidth != null) cfg = cfg.withBandwidth(bandwidth);
        if (poll != null) cfg = cfg.withPollInterval(poll);
        if (mqtt != null) cfg = cfg.withMqtt(new SyncConfig.Mqtt(mqtt, group));
        var bar = ProgressBar.percent(System.err, "sync");
        try (var agent = SyncAgent.builder().config(cfg).listener(s -> progress(bar, s)).build()) {
            if (once) {
                var states = agent.runOnce();
                if (states.stream().allMatch(s -> s.lastError() == null)) bar.update(100); // nothing left to fetch
                bar.close();
                states.forEach(s -> out().println(StatusCommand.line(s)));
                if (states.stream().anyMatch(s -> "refused".equals(s.state()) || "corrupt".equals(s.state()))) return 3;
                if (states.stream().anyMatch(s -> s.offlineSince() != null)) return 2;
                return states.stream().allMatch(s -> s.lastError() == null) ? 0 : 1;
            }
            // SIGTERM/Ctrl-C: stop the loop cleanly (the file lock and the LRU index are released/saved).
            Runtime.getRuntime().addShutdownHook(new Thread(agent::close));
            agent.start();
            new CountDownLatch(1).await();
        }
        return 0;
    }

    private static void progress(ProgressBar bar, AgentState s) {
        if ("downloading".equals(s.state())) bar.update(Math.round(s.progress() * 100));
    }
}
