package ai.appliance.runtime.serving;

/**
 * What a request says about where it may be answered (extension fields of the OpenAI-compatible API).
 *
 * @param localOnly     the request must not leave the appliance (e.g. medical data): never forwarded to an upstream
 * @param allowFallback when its upstream cannot answer, a local model may (the default); false: the caller gets the
 *                      upstream's error instead
 */
public record RoutingHints(boolean localOnly, boolean allowFallback) {

    /** What a request that says nothing gets. */
    public static final RoutingHints DEFAULT = new RoutingHints(false, true);
}
