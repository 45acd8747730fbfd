package ai.appliance.runtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.runtime.metrics.VersionMetrics;
import ai.appliance.runtime.scheduler.SchedulerSettings;
import ai.appliance.runtime.serving.ModelCatalog;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** serve's SIGTERM handling around start-up, and readiness while the MQTT gateway is still starting. */
class ServeShutdownTest {

    private static final class FakeAppliance implements AutoCloseable {
        final CountDownLatch closed = new CountDownLatch(1);

        @Override
        public void close() {
            closed.countDown();
        }
    }

    @Test
    void aSignalDuringStartUpStopsTheApplianceOnceStartUpHasFinished() throws Exception {
        var err = new StringWriter();
        var shutdown = new ServeShutdown(new PrintWriter(err, true));
        var hook = Thread.ofPlatform().start(shutdown::run);
        var appliance = new FakeAppliance();
        // Start-up is still running: the hook waits instead of letting the JVM exit under it.
        assertFalse(appliance.closed.await(300, TimeUnit.MILLISECONDS));
        assertTrue(hook.isAlive());
        assertTrue(shutdown.stopping(), "serve sees the signal and skips its ready line");
        shutdown.started(appliance);
        assertTrue(appliance.closed.await(5, TimeUnit.SECONDS));
        hook.join(5_000);
        assertFalse(hook.isAlive());
        shutdown.awaitStopped();
        var lines = err.toString().lines().toList();
        assertEquals("serve: stopping once start-up has finished", lines.get(0));
        assertTrue(lines.get(1).startsWith("serve: stopping: no new requests"), lines.toString());
        assertTrue(lines.get(2).matches("serve: stopped in \\d+\\.\\d s"), lines.toString());
    }

    @Test
    void aSignalAfterStartUpStopsAtOnce() throws Exception {
        var err = new StringWriter();
        var shutdown = new ServeShutdown(new PrintWriter(err, true));
        var appliance = new FakeAppliance();
        shutdown.started(appliance);
        assertFalse(shutdown.stopping());
        shutdown.run();
        assertEquals(0, appliance.closed.getCount());
        shutdown.awaitStopped();
        assertTrue(err.toString().startsWith("serve: stopping: no new requests"), err.toString());
    }

    @Test
    void aSignalAfterAFailedStartHasNothingToStop() throws Exception {
        var err = new StringWriter();
        var shutdown = new ServeShutdown(new PrintWriter(err, true));
        shutdown.startFailed();
        shutdown.run();
        shutdown.awaitStopped();
        assertEquals("", err.toString());
    }

    @Test
    void readinessWaitsForTheMqttGatewayBeforeItHasStarted() {
        try (var catalog = new ModelCatalog(SchedulerSettings.DEFAULT, VersionMetrics.NONE, Duration.ofSeconds(1))) {
            assertEquals(List.of("model-loaded", "mqtt-connected"), Appliance.readiness(catalog, () -> null, true, () -> null).failing());
            assertEquals(List.of("model-loaded"), Appliance.readiness(catalog, () -> null, false, () -> null).failing());
        }
    }
}
