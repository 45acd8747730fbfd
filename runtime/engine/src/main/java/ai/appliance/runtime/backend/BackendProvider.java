package ai.appliance.runtime.backend;

/**
 * A backend the engine can compute on, found by name through {@link java.util.ServiceLoader} (the one plug-in point:
 * the GPU modules {@code jetson} and {@code datacenter} ship theirs in their own jars). List an implementation in
 * {@code META-INF/services/ai.appliance.runtime.backend.BackendProvider}.
 */
public interface BackendProvider {

    /** The name users choose it by ({@code --backend}, config key {@code backend}), e.g. "cpu". */
    String name();

    /** One line for listings, e.g. "CPU, Java Vector API". */
    String description();

    /**
     * Why this backend cannot run on this host (no GPU, no driver, library too old), or null when it can. Called
     * before {@link #create}; must be cheap and must not throw.
     */
    String unavailableReason();

    /** A new backend; the caller owns it and closes it. */
    Backend create(BackendOptions options);
}
