package ai.appliance.sync;

/**
 * Every failure the sync agent reports to a user. The message is one line that names the object
 * (file, chunk, manifest) and the problem, so an operator can act on it without a stack trace.
 */
public sealed class SyncException extends RuntimeException
        permits SyncException.SignatureRejected, SyncException.RollbackRejected, SyncException.MetadataExpired,
                SyncException.IntegrityFailure, SyncException.MalformedMetadata, SyncException.StoreUnavailable,
                SyncException.NotFound, SyncException.UsageError, SyncException.LocalStateError {

    protected SyncException(String message) {
        super(message);
    }

    protected SyncException(String message, Throwable cause) {
        super(message, cause);
    }

    /** A signature that does not verify, or one made by a key the trusted root does not list. */
    public static final class SignatureRejected extends SyncException {
        public SignatureRejected(String message) { super(message); }
    }

    /** Metadata whose serial is lower than one already trusted (rollback attack or stale mirror). */
    public static final class RollbackRejected extends SyncException {
        public RollbackRejected(String message) { super(message); }
    }

    /** Metadata past its expiry (freeze attack: a mirror replaying old, once-valid metadata). */
    public static final class MetadataExpired extends SyncException {
        public MetadataExpired(String message) { super(message); }
    }

    /** A chunk or file whose size or SHA-256 is not what the signed manifest says. */
    public static final class IntegrityFailure extends SyncException {
        public IntegrityFailure(String message) { super(message); }
    }

    /** Metadata that parses but breaks the format rules (names, paths, sizes). */
    public static final class MalformedMetadata extends SyncException {
        public MalformedMetadata(String message) { super(message); }
        public MalformedMetadata(String message, Throwable cause) { super(message, cause); }
    }

    /** No store in the list answered (network down, endpoint unreachable, 5xx). */
    public static final class StoreUnavailable extends SyncException {
        public StoreUnavailable(String message, Throwable cause) { super(message, cause); }
    }

    /** The store answered, but the object is not there. */
    public static final class NotFound extends SyncException {
        public NotFound(String message) { super(message); }
    }

    /** A command was given options that cannot work together or point at nothing. */
    public static final class UsageError extends SyncException {
        public UsageError(String message) { super(message); }
    }

    /** The local store folder cannot be read or written as needed. */
    public static final class LocalStateError extends SyncException {
        public LocalStateError(String message, Throwable cause) { super(message, cause); }
    }
}
