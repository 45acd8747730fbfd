package ai.appliance.provisioning.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * ../shared/fixtures for provisioning tests (the runtime's Fixtures helper lives in the runtime's test jar, which
 * this module cannot see). Fails loudly, naming the path, when the fixtures are missing.
 */
public final class SharedFixtures {
    private SharedFixtures() {
    }

    public static Path repositoryRoot() {
        var dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (var d = dir; d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve(".mvn"))) return d;
        }
        throw new IllegalStateException("no repository root (a folder with .mvn) above " + dir);
    }

    public static Path path(String relative) {
        var p = repositoryRoot().resolveSibling("shared").resolve("fixtures").resolve(relative).normalize();
        if (!Files.exists(p)) throw new IllegalStateException("fixture missing: " + p + " (../shared/fixtures)");
        return p;
    }
}
