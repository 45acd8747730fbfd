package ai.appliance.provisioning.deploy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rendered alert rules as Prometheus itself reads them: {@code promtool check rules} accepts the file, and the
 * shipped {@code promtool test rules} cases fire each alert on synthetic series above its threshold and keep it
 * silent below.
 */
class AlertRulesPromtoolTest {

    private static final long TEN_GIB = 10L << 30;

    private static Path renderBesideTests(Path dir, Duration tpotTarget, String testFile) throws Exception {
        Files.writeString(dir.resolve("appliance-alerts.yaml"),
                new AlertRulesRenderer().render(new AlertThresholds(tpotTarget, TEN_GIB)));
        try (var in = AlertRulesPromtoolTest.class.getResourceAsStream("/monitoring/" + testFile)) {
            Files.write(dir.resolve(testFile), in.readAllBytes());
        }
        return dir;
    }

    @Test
    void promtoolAcceptsTheRenderedRules(@TempDir Path dir) throws Exception {
        renderBesideTests(dir, AlertThresholds.DEFAULT_TIME_PER_OUTPUT_TOKEN, "appliance-alerts.test.yaml");
        var check = Promtool.require().run(dir, "check", "rules", "appliance-alerts.yaml");
        assertEquals(0, check.exitCode(), check.output());
        assertTrue(check.output().contains("SUCCESS: 8 rules found"), check.output());
    }

    @Test
    void eachAlertFiresAboveItsThresholdAndStaysSilentBelow(@TempDir Path dir) throws Exception {
        renderBesideTests(dir, AlertThresholds.DEFAULT_TIME_PER_OUTPUT_TOKEN, "appliance-alerts.test.yaml");
        var test = Promtool.require().run(dir, "test", "rules", "appliance-alerts.test.yaml");
        assertEquals(0, test.exitCode(), test.output());
    }

    @Test
    void theConfiguredDecodeLatencyTargetDecides(@TempDir Path dir) throws Exception {
        renderBesideTests(dir, Duration.ofMillis(250), "appliance-alerts-tpot-250ms.test.yaml");
        var test = Promtool.require().run(dir, "test", "rules", "appliance-alerts-tpot-250ms.test.yaml");
        assertEquals(0, test.exitCode(), test.output());

        // The same series under the default 150 ms target fire, so the case above is silent because of the target.
        renderBesideTests(dir, AlertThresholds.DEFAULT_TIME_PER_OUTPUT_TOKEN, "appliance-alerts-tpot-250ms.test.yaml");
        var atDefault = Promtool.require().run(dir, "test", "rules", "appliance-alerts-tpot-250ms.test.yaml");
        assertNotEquals(0, atDefault.exitCode(), atDefault.output());
        assertTrue(atDefault.output().contains("ApplianceTimePerOutputTokenSlow"), atDefault.output());
    }
}
