package ai.appliance.runtime.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates the shared reference fixtures in {@code ../shared/fixtures} beside the repository root.
 * A test that needs them fails loudly, naming the path, when they are missing.
 */
public final class Fixtures {
    private Fixtures() {
    }

    /** The repository root: the nearest folder above the working directory that holds {@code .mvn}. */
    public static Path repositoryRoot() {
        var dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (var d = dir; d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve(".mvn"))) return d;
        }
        throw new IllegalStateException("no repository root (a folder with .mvn) above " + dir);
    }

    /** {@code ../shared/fixtures} relative to the repository root. */
    public static Path root() {
        var fixtures = repositoryRoot().resolveSibling("shared").resolve("fixtures").normalize();
        if (!Files.isDirectory(fixtures)) {
            throw new IllegalStateException("reference fixtures missing: expected them at " + fixtures
                    + " (../shared/fixtures beside the repository root)");
        }
        return fixtures;
    }

    /** A file or folder inside the fixtures, which must exist. */
    public static Path path(String relative) {
        var p = root().resolve(relative);
        if (!Files.exists(p)) throw new IllegalStateException("fixture missing: " + p);
        return p;
    }

    public static Path model(String name) {
        return path("models/" + name);
    }
}
