package ai.appliance.runtime.serving;

import ai.appliance.runtime.metrics.VersionMetrics;
import ai.appliance.runtime.scheduler.Scheduler;
import java.time.Duration;
import java.time.Instant;

/**
 * A loaded model version with the scheduler that feeds it.
 *
 * @param metrics where the scheduler reports; closed after the model, which ends this version's series
 */
public record ServedVersion(LoadedModel model, Scheduler scheduler, VersionMetrics.Observer metrics, Instant loadedAt,
                            Duration loadTime) {

    public String name() {
        return model.name();
    }

    public String version() {
        return model.version();
    }
}
