package ai.appliance.runtime.serving;

/**
 * What /v1/models and the status topic say about one loaded version, or about a model entry answered by an upstream.
 *
 * @param version  the local version, or for an upstream the model id the upstream serves it as
 * @param upstream the model is answered by an upstream server, not by this appliance
 */
public record ModelInfo(String name, String version, boolean demo, double weight, long loadedAtEpochSeconds,
                        boolean upstream) {

    /** A local version. */
    public ModelInfo(String name, String version, boolean demo, double weight, long loadedAtEpochSeconds) {
        this(name, version, demo, weight, loadedAtEpochSeconds, false);
    }
}
