package ai.appliance.runtime.model;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * Where the bytes of a model file come from. The engine memory-maps plain files itself; a file stored encrypted at
 * rest is decrypted by whoever holds the device's keys (the provisioning module implements this), so the engine
 * needs no cryptography and no key material.
 */
public interface WeightSource {

    /** Plain files only: every file is memory-mapped as it is. */
    WeightSource PLAIN_FILES = (file, arena) -> null;

    /**
     * The plaintext bytes of {@code file}, allocated in {@code arena}, or null when the file is not encrypted and
     * should be memory-mapped as it is.
     *
     * @throws ModelFormatException when the file is encrypted and cannot be opened (wrong key, modified, truncated,
     *                              or no key available), with a message the operator can act on
     */
    MemorySegment plaintext(Path file, Arena arena);
}
