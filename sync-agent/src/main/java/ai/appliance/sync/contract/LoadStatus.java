package ai.appliance.sync.contract;

/**
 * What the runtime reports after trying to load a version ({@code load-status.json}, docs/formats.md §8).
 * {@code state} is "loaded" or "failed"; {@code error} is a one-line reason or null; {@code time} ISO-8601 UTC.
 */
public record LoadStatus(String version, String state, String error, String time) {
    public static final String LOADED = "loaded";
    public static final String FAILED = "failed";

    public boolean failed() {
        return FAILED.equals(state);
    }

    public boolean loaded() {
        return LOADED.equals(state);
    }
}
