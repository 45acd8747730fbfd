package ai.appliance.sync.agent;

import ai.appliance.sync.SyncException;
import ai.appliance.sync.manifest.Manifest;
import ai.appliance.sync.util.Sha256;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.stream.Stream;

/** Checks a version folder against its manifest: every file present with the right size and SHA-256, nothing else. */
public final class VersionFiles {
    private VersionFiles() {}

    /** Problems found; empty when the folder is exactly the manifest. */
    public static List<String> problems(Manifest manifest, Path folder) {
        var out = new ArrayList<String>();
        var expected = new HashSet<String>();
        for (var f : manifest.files()) {
            expected.add(f.path());
            var p = folder.resolve(f.path());
            try {
                if (!Files.isRegularFile(p)) {
                    out.add(p + ": missing");
                } else if (Files.size(p) != f.size()) {
                    out.add(p + ": size " + Files.size(p) + ", manifest says " + f.size());
                } else if (!Sha256.ofFile(p).equals(f.sha256())) {
                    out.add(p + ": SHA-256 differs from the manifest (corrupted or modified)");
                }
            } catch (IOException e) {
                out.add(p + ": unreadable (" + e.getMessage() + ")");
            }
        }
        try (Stream<Path> s = Files.walk(folder)) {
            s.filter(Files::isRegularFile).forEach(p -> {
                var rel = folder.relativize(p).toString().replace('\\', '/');
                if (!expected.contains(rel)) out.add(p + ": not in the manifest");
            });
        } catch (IOException e) {
            out.add(folder + ": cannot list (" + e.getMessage() + ")");
        }
        return out;
    }

    public static void requireIntact(Manifest manifest, Path folder) {
        var problems = problems(manifest, folder);
        if (!problems.isEmpty()) {
            throw new SyncException.IntegrityFailure(manifest.model() + " " + manifest.version() + ": " + problems.getFirst()
                    + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more)" : ""));
        }
    }
}
