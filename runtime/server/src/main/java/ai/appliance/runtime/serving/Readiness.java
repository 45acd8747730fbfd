package ai.appliance.runtime.serving;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Named readiness conditions (model loaded, broker connected) for /health/ready and the status topic. A condition
 * that fails can say why (a model that did not load names the file and the problem), so an operator looking at
 * /health/ready does not have to search the log.
 */
public final class Readiness {

    /** @param problem null when the condition holds, else why it does not */
    private record Check(String name, Supplier<String> problem) { }

    private final List<Check> checks = new ArrayList<>();
    private final Map<String, Supplier<Map<String, String>>> details = new LinkedHashMap<>();

    public synchronized Readiness add(String name, BooleanSupplier ok) {
        checks.add(new Check(name, () -> ok.getAsBoolean() ? null : name + " is not met"));
        return this;
    }

    /** A condition whose {@code problem} is null when it holds and otherwise a one-line reason. */
    public synchronized Readiness addExplained(String name, Supplier<String> problem) {
        checks.add(new Check(name, problem));
        return this;
    }

    /**
     * States shown beside the checks that do not decide readiness: each upstream's circuit (the appliance still
     * answers with its local models, and its fallbacks, while an upstream is down).
     */
    public synchronized Readiness addDetail(String name, Supplier<Map<String, String>> states) {
        details.put(name, states);
        return this;
    }

    /** Each detail's states now (e.g. {@code upstreams -> {big -> open}}). */
    public synchronized Map<String, Map<String, String>> details() {
        var out = new LinkedHashMap<String, Map<String, String>>();
        details.forEach((name, states) ->
                out.put(name, Collections.unmodifiableMap(new LinkedHashMap<>(states.get()))));
        return out;
    }

    /** Names of the conditions not met now; empty when ready. */
    public List<String> failing() {
        return List.copyOf(problems().keySet());
    }

    /** The conditions not met now with the reason of each; empty when ready. */
    public synchronized Map<String, String> problems() {
        var out = new LinkedHashMap<String, String>();
        for (var c : checks) {
            String problem;
            try {
                problem = c.problem().get();
            } catch (RuntimeException e) {
                problem = c.name() + " could not be checked";
            }
            if (problem != null) {
                out.put(c.name(), problem);
            }
        }
        return out;
    }
}
