package ai.appliance.runtime.routing;

import ai.appliance.runtime.security.Principal;
import java.util.Set;
import java.util.function.IntSupplier;

/**
 * One rule of {@code routing.rules}: a request that meets every condition set goes to {@code model}. A condition
 * left empty (or 0) holds for every request.
 *
 * @param callers         the caller's API key or role is listed (empty: any caller)
 * @param models          the request names one of these models (empty: any model, or none)
 * @param minPromptTokens the prompt has at least this many tokens (0: any length)
 * @param model           where matching requests go: a local model or a model entry with an upstream
 */
public record RoutingRule(Callers callers, Set<String> models, int minPromptTokens, String model) {

    public RoutingRule {
        models = Set.copyOf(models);
        if (minPromptTokens < 0) {
            throw new IllegalArgumentException("min-prompt-tokens must not be negative, was " + minPromptTokens);
        }
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("every routing rule needs model: the model or upstream it sends to");
        }
    }

    /** The prompt is measured last and only when the other conditions hold: measuring renders the prompt. */
    boolean matches(String requestedModel, Principal caller, IntSupplier promptTokens) {
        if (!callers.isEmpty() && !callers.contains(caller)) {
            return false;
        }
        if (!models.isEmpty() && (requestedModel == null || !models.contains(requestedModel))) {
            return false;
        }
        return minPromptTokens == 0 || promptTokens.getAsInt() >= minPromptTokens;
    }
}
