package ai.appliance.provisioning.deploy;

import ai.appliance.provisioning.plan.Plan;

import java.time.Duration;

/**
 * What the alert rules compare against where it depends on the deployment.
 *
 * @param timePerOutputTokenTarget p95 decode step latency above which users notice slow streaming (150 ms default:
 *                                 under ~7 tokens/s a streamed answer reads slower than people read)
 * @param memoryLimitBytes         the memory the plan gives the process (the container limit, the unit's MemoryMax):
 *                                 the alert fires at 85 % of it, before the kernel's OOM killer acts
 */
public record AlertThresholds(Duration timePerOutputTokenTarget, long memoryLimitBytes) {

    public static final Duration DEFAULT_TIME_PER_OUTPUT_TOKEN = Duration.ofMillis(150);

    public AlertThresholds {
        if (timePerOutputTokenTarget.isNegative() || timePerOutputTokenTarget.isZero()) {
            throw new IllegalArgumentException("the time-per-output-token target must be positive");
        }
        if (memoryLimitBytes <= 0) {
            throw new IllegalArgumentException("the memory limit must be positive");
        }
    }

    public static AlertThresholds forPlan(Plan plan, Duration timePerOutputTokenTarget) {
        return new AlertThresholds(timePerOutputTokenTarget, HostResources.of(plan).memoryLimitBytes());
    }
}
