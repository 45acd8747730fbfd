package ai.appliance.runtime.metrics;

import ai.appliance.runtime.scheduler.SchedulerObserver;
import java.time.Duration;

/**
 * Metrics of the model versions being served. Each version's scheduler reports to an observer of its own, so two
 * loaded versions of one model (an A/B split, or a hot swap while the old version drains) keep separate series
 * instead of overwriting each other, and closing the observer once the version is freed removes its series.
 */
@FunctionalInterface
public interface VersionMetrics {

    VersionMetrics NONE = (model, version, loadTime) -> Observer.NONE;

    /** {@code version} of {@code model} starts serving; its scheduler reports to the returned observer. */
    Observer loaded(String model, String version, Duration loadTime);

    /** What one version's scheduler reports to; closed once that version has been freed. */
    interface Observer extends SchedulerObserver, AutoCloseable {

        Observer NONE = () -> { };

        @Override
        void close();
    }
}
