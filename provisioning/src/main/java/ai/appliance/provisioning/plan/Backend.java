package ai.appliance.provisioning.plan;

/** Which engine backend runs the model: the appliance's CPU backend, Jetson's unified-memory GPU, or CUDA GPUs. */
public enum Backend {
    CPU, JETSON, DATACENTER;

    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
