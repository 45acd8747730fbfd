package ai.appliance.runtime.serving;

import ai.appliance.runtime.scheduler.Scheduler;
import java.time.Duration;
import java.time.Instant;

/** A loaded model version with the scheduler that feeds it. */
public record ServedVersion(LoadedModel model, Scheduler scheduler, Instant loadedAt, Duration loadTime) {

    public String name() {
        return model.name();
    }

    public String version() {
        return model.version();
    }
}
