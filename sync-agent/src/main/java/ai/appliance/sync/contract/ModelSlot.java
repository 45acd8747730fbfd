package ai.appliance.sync.contract;

import ai.appliance.sync.SyncException;
import ai.appliance.sync.util.AtomicFiles;
import ai.appliance.sync.util.Json;
import ai.appliance.sync.util.Times;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotLinkException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;

/**
 * One model's place in the local store, seen from the runtime: which version is active, and where the runtime
 * reports whether it loaded (docs/formats.md §8). The agent uses the same class, so both sides agree on paths.
 */
public final class ModelSlot {
    public static final String ACTIVE = "active";
    public static final String LOAD_STATUS = "load-status.json";

    private final Path storeRoot;
    private final String model;
    private final Clock clock;

    private ModelSlot(Path storeRoot, String model, Clock clock) {
        this.storeRoot = storeRoot.toAbsolutePath().normalize();
        this.model = model;
        this.clock = clock;
    }

    public static ModelSlot of(Path storeRoot, String model) {
        return new ModelSlot(storeRoot, model, Clock.systemUTC());
    }

    public static ModelSlot of(Path storeRoot, String model, Clock clock) {
        return new ModelSlot(storeRoot, model, clock);
    }

    public String model() {
        return model;
    }

    /** {@code <root>/models/<model>/}: the folder to watch for changes of {@code active}. */
    public Path folder() {
        return storeRoot.resolve("models").resolve(model);
    }

    public Path activeLink() {
        return folder().resolve(ACTIVE);
    }

    public Path versionsFolder() {
        return folder().resolve("versions");
    }

    public Path loadStatusFile() {
        return folder().resolve(LOAD_STATUS);
    }

    /** The active version, resolved once; empty when nothing was activated yet. */
    public Optional<ActiveVersion> active() {
        try {
            var target = Files.readSymbolicLink(activeLink());
            var resolved = folder().resolve(target).normalize();
            if (!resolved.getParent().equals(versionsFolder())) {
                throw new SyncException.LocalStateError(activeLink() + " points outside " + versionsFolder() + ": " + target, null);
            }
            return Optional.of(new ActiveVersion(model, resolved.getFileName().toString(), resolved));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (NotLinkException e) {
            throw new SyncException.LocalStateError(activeLink() + " is not a symbolic link", e);
        } catch (IOException e) {
            throw new SyncException.LocalStateError("cannot read " + activeLink() + ": " + e.getMessage(), e);
        }
    }

    public void reportLoaded(String version) {
        write(new LoadStatus(version, LoadStatus.LOADED, null, Times.format(clock.instant())));
    }

    public void reportFailed(String version, String error) {
        write(new LoadStatus(version, LoadStatus.FAILED, error, Times.format(clock.instant())));
    }

    /** The runtime's last report, if any. */
    public Optional<LoadStatus> loadStatus() {
        var file = loadStatusFile();
        if (!Files.exists(file)) return Optional.empty();
        try {
            return Optional.of(Json.read(Files.readAllBytes(file), LoadStatus.class, file.toString()));
        } catch (IOException e) {
            throw new SyncException.LocalStateError("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private void write(LoadStatus status) {
        try {
            AtomicFiles.write(loadStatusFile(), Json.writePretty(status));
        } catch (IOException e) {
            throw new SyncException.LocalStateError("cannot write " + loadStatusFile() + ": " + e.getMessage(), e);
        }
    }
}
