package ai.appliance.runtime.backend;

/** The CPU backend: {@link CpuBackend} on the Java Vector API, always available. */
public final class CpuBackendProvider implements BackendProvider {

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public String description() {
        return "CPU, Java Vector API";
    }

    @Override
    public String unavailableReason() {
        return null;
    }

    @Override
    public Backend create(BackendOptions options) {
        return new CpuBackend(options.threads() == 0 ? WorkerPool.physicalCores() : options.threads());
    }
}
