package ai.appliance.runtime.routing;

/**
 * Where the routing policy sends one request.
 *
 * @param model     the model to answer it (a local model or a model entry with an upstream); null: the default model
 * @param localOnly it must not leave the appliance
 * @param rule      index of the rule that decided it in {@code routing.rules}, or -1 when none matched
 */
public record RouteDecision(String model, boolean localOnly, int rule) {
}
