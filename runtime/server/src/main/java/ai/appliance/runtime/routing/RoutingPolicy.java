package ai.appliance.runtime.routing;

import ai.appliance.runtime.security.Principal;
import java.util.List;
import java.util.function.IntSupplier;

/**
 * The {@code routing} configuration: rules tried in order, the first match deciding the model, and the callers whose
 * requests must never leave the appliance. A request that no rule matches goes to the model it names.
 *
 * @param localOnly callers (API keys, roles) whose every request is handled as {@code local_only}
 */
public record RoutingPolicy(List<RoutingRule> rules, Callers localOnly) {

    /** No rules and nobody forced local: every request goes where it asks. */
    public static final RoutingPolicy NONE = new RoutingPolicy(List.of(), Callers.NONE);

    public RoutingPolicy {
        rules = List.copyOf(rules);
    }

    /**
     * @param requestedModel   the model the request names, or null
     * @param requestLocalOnly the request's own {@code local_only}
     * @param promptTokens     the prompt's length in tokens, asked only when a rule needs it
     */
    public RouteDecision decide(String requestedModel, Principal caller, boolean requestLocalOnly,
                                IntSupplier promptTokens) {
        boolean local = requestLocalOnly || localOnly.contains(caller);
        for (int i = 0; i < rules.size(); i++) {
            if (rules.get(i).matches(requestedModel, caller, promptTokens)) {
                return new RouteDecision(rules.get(i).model(), local, i);
            }
        }
        return new RouteDecision(requestedModel, local, -1);
    }
}
