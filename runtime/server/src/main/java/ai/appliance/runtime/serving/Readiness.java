package ai.appliance.runtime.serving;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/** Named readiness conditions (model loaded, broker connected) for /health/ready and the status topic. */
public final class Readiness {

    private record Check(String name, BooleanSupplier ok) { }

    private final List<Check> checks = new ArrayList<>();

    public synchronized Readiness add(String name, BooleanSupplier ok) {
        checks.add(new Check(name, ok));
        return this;
    }

    /** Names of the conditions not met now; empty when ready. */
    public synchronized List<String> failing() {
        var out = new ArrayList<String>();
        for (var c : checks) {
            boolean ok;
            try {
                ok = c.ok().getAsBoolean();
            } catch (RuntimeException e) {
                ok = false;
            }
            if (!ok) {
                out.add(c.name());
            }
        }
        return out;
    }
}
