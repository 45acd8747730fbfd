package ai.appliance.runtime.backend;

/**
 * What a backend is created with.
 *
 * @param threads compute threads of a CPU backend (0: one per physical core); GPU backends use it for host-side work
 */
public record BackendOptions(int threads) {
    public BackendOptions {
        if (threads < 0) throw new IllegalArgumentException("threads must be 0 (automatic) or more, got " + threads);
    }
}
