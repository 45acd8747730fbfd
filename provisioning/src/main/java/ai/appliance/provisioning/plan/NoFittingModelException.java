package ai.appliance.provisioning.plan;

import java.util.List;

/** No model of the catalog fits the box under the chosen profile; the message says why the smallest failed. */
public final class NoFittingModelException extends RuntimeException {
    private final List<String> rejected;

    public NoFittingModelException(String message, List<String> rejected) {
        super(message);
        this.rejected = List.copyOf(rejected);
    }

    public List<String> rejected() {
        return rejected;
    }
}
