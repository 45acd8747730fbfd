package ai.appliance.runtime.loading;

import ai.appliance.runtime.backend.Backend;
import ai.appliance.runtime.backend.BackendOptions;
import ai.appliance.runtime.backend.Backends;
import ai.appliance.runtime.engine.LanguageModel;

/**
 * The one way a model becomes runnable, for the CLI, bench and the server alike: the backend chosen by name,
 * prepared with every matrix (kernel warm-up on the CPU), and the architecture's forward pass on it.
 */
public final class LanguageModels {
    private LanguageModels() {
    }

    /**
     * @param backend a backend name ({@link Backends#DEFAULT} when null)
     * @param threads compute threads (0: one per physical core)
     * @throws ai.appliance.runtime.backend.UnknownBackendException when that backend is not installed or cannot run here
     */
    public static LanguageModel open(ModelFiles files, String backend, int threads) {
        return open(files, Backends.open(backend, new BackendOptions(threads)));
    }

    /** On an opened backend, which the model then owns (and closes, also when this fails). */
    public static LanguageModel open(ModelFiles files, Backend compute) {
        try {
            compute.prepare(files.weights().matrices());
            return files.architecture().newModel(files.config(), files.weights(), compute);
        } catch (RuntimeException | Error e) {
            compute.close();
            throw e;
        }
    }

    /** On the CPU backend with {@code threads} compute threads. */
    public static LanguageModel onCpu(ModelFiles files, int threads) {
        return open(files, "cpu", threads);
    }
}
