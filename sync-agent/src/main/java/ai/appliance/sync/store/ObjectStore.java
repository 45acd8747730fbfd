package ai.appliance.sync.store;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A flat key → bytes store with the layout of docs/formats.md §2. Implementations throw
 * {@link ai.appliance.sync.SyncException.StoreUnavailable} when the store cannot be reached and return
 * empty results (or throw {@link ai.appliance.sync.SyncException.NotFound}) when an object is absent.
 */
public interface ObjectStore extends AutoCloseable {
    /** Human-readable name for messages ("s3://models", "/mnt/usb/store"). */
    String describe();

    /** The store that answered last (differs from {@link #describe()} for a failover list). */
    default String answering() {
        return describe();
    }

    /** The whole object, or empty when it does not exist. */
    Optional<byte[]> get(String key);

    /** Bytes from {@code offset} to the end (a ranged GET); NotFound when absent. */
    byte[] getFrom(String key, long offset);

    /**
     * A stream of the bytes from {@code offset} (a ranged GET), for resumable downloads; NotFound when absent.
     * The default reads the rest at once; stores that can stream override it.
     */
    default java.io.InputStream openFrom(String key, long offset) {
        return new java.io.ByteArrayInputStream(getFrom(key, offset));
    }

    OptionalLong size(String key);

    default boolean exists(String key) {
        return size(key).isPresent();
    }

    void put(String key, byte[] data);

    /** Uploads a file (multipart on S3 when large). */
    void put(String key, Path file);

    /** Keys under a prefix (recursive), in no particular order. */
    List<String> list(String prefix);

    @Override
    default void close() {}
}
