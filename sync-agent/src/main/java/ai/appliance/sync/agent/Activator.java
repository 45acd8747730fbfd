package ai.appliance.sync.agent;

import ai.appliance.sync.SyncException;
import ai.appliance.sync.contract.ModelSlot;
import ai.appliance.sync.util.AtomicFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Switches {@code active}: a new relative symlink renamed over the old one, then an fsync of the folder.
 * rename(2) replaces the link atomically, so readers see the old or the new version, never neither.
 */
final class Activator {
    private Activator() {}

    static void switchTo(ModelSlot slot, String version) {
        var folder = slot.folder();
        var target = slot.versionsFolder().resolve(version);
        if (!Files.isDirectory(target)) {
            throw new SyncException.LocalStateError("cannot activate " + slot.model() + " " + version + ": " + target + " does not exist", null);
        }
        var tmp = folder.resolve(ModelSlot.ACTIVE + ".new");
        try {
            Files.deleteIfExists(tmp);
            Files.createSymbolicLink(tmp, Path.of("versions", version));
            AtomicFiles.move(tmp, slot.activeLink());
            AtomicFiles.fsyncDirectory(folder);
        } catch (IOException e) {
            throw new SyncException.LocalStateError("cannot switch " + slot.activeLink() + " to " + version + ": " + e.getMessage(), e);
        }
    }
}
