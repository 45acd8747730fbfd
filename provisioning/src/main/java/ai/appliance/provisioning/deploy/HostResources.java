package ai.appliance.provisioning.deploy;

import ai.appliance.provisioning.plan.Plan;

/**
 * Host memory and CPU one appliance process (pod, container, unit) should get, from the plan.
 * CPU and Jetson: the planned peak (weights, KV cache, workspace) plus the JVM; limit = request + the 20% burst
 * reserve, so bursts fit but a leak is stopped before the box swaps. Datacenter: weights live on the GPUs; host
 * memory holds the JVM, pinned staging buffers and the page cache of the model file while it loads, so the
 * request is 8 GiB plus a tenth of the replica's weights and the limit twice that.
 */
public record HostResources(long memoryRequestBytes, long memoryLimitBytes, int cpuRequest, int gpus) {

    static final long GIB = 1L << 30;
    static final long JVM_BYTES = GIB;

    public static HostResources of(Plan plan) {
        var m = plan.memory();
        if ("datacenter".equals(plan.backend())) {
            long replicaWeights = m.weightsBytes() * plan.tensorParallel();
            long request = roundUpToMiB(8 * GIB + replicaWeights / 10);
            return new HostResources(request, 2 * request, 4 * plan.tensorParallel(), plan.tensorParallel());
        }
        long request = roundUpToMiB(m.peakBytes() + JVM_BYTES);
        long limit = roundUpToMiB(request + (long) (m.usableBytes() * (1 - 0.80)));
        return new HostResources(request, Math.min(limit, m.deviceBytes()), 2, 0);
    }

    static long roundUpToMiB(long bytes) {
        long mib = 1L << 20;
        return (bytes + mib - 1) / mib * mib;
    }

    /** Kubernetes / compose quantity, e.g. "12345Mi". */
    public static String quantity(long bytes) {
        return (bytes >> 20) + "Mi";
    }
}
