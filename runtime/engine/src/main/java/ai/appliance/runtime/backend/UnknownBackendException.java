package ai.appliance.runtime.backend;

/** The backend asked for is not installed or cannot run on this host; the message says which and what there is. */
public final class UnknownBackendException extends RuntimeException {
    public UnknownBackendException(String message) {
        super(message);
    }
}
