package ai.appliance.runtime.serving;

/** What /v1/models and the status topic say about one loaded version. */
public record ModelInfo(String name, String version, boolean demo, double weight, long loadedAtEpochSeconds) {
}
