package ai.appliance.runtime.models;

import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where {@code POST /v1/models/{name}/load} may read a model from: the store's {@code models/} folder and the
 * folders listed under {@code model-folders}. A path is judged by where it really leads (symbolic links and
 * {@code ..} resolved), so a link or a relative path cannot reach out of those folders. Every refusal reads
 * the same, whether the file is missing or outside: the answer must not tell a client which server files exist.
 */
public final class LoadablePaths {

    static final String REFUSAL = "path must name a model file or folder inside the store's models/ folder or a"
            + " folder listed under model-folders in the serve config; nothing loadable is there";

    private final List<Path> folders;

    /** @param folders the allowed folders; those missing now are checked again at each call */
    public LoadablePaths(List<Path> folders) {
        this.folders = List.copyOf(folders);
    }

    /** The store's models and the configured folders. */
    public static LoadablePaths of(Path storeRoot, List<Path> modelFolders) {
        var all = new ArrayList<Path>();
        all.add(storeRoot.resolve("models"));
        all.addAll(modelFolders);
        return new LoadablePaths(all);
    }

    /**
     * The real location of {@code requested} (absolute, or relative to one of the folders), which exists and
     * lies inside an allowed folder.
     *
     * @throws NotLoadableException with the same message for a missing file and one outside the folders
     */
    public Path resolve(String requested) {
        if (requested == null || requested.isBlank() || requested.indexOf('\0') >= 0) {
            throw new NotLoadableException(REFUSAL);
        }
        Path path;
        try {
            path = Path.of(requested);
        } catch (InvalidPathException e) {
            throw new NotLoadableException(REFUSAL);
        }
        var roots = realFolders();
        var candidates = new ArrayList<Path>();
        if (path.isAbsolute()) {
            candidates.add(path);
        } else {
            roots.forEach(root -> candidates.add(root.resolve(path)));
        }
        for (var candidate : candidates) {
            var real = realPath(candidate);
            if (real.isPresent() && roots.stream().anyMatch(root -> real.get().startsWith(root))) {
                return real.get();
            }
        }
        throw new NotLoadableException(REFUSAL);
    }

    private List<Path> realFolders() {
        var out = new ArrayList<Path>();
        for (var folder : folders) {
            realPath(folder).ifPresent(out::add);
        }
        return out;
    }

    private static Optional<Path> realPath(Path path) {
        try {
            return Optional.of(path.toRealPath());
        } catch (IOException | SecurityException e) {
            return Optional.empty();
        }
    }

    /** The requested path is missing or outside the allowed folders (the message does not say which). */
    public static final class NotLoadableException extends RuntimeException {
        NotLoadableException(String message) {
            super(message);
        }
    }
}
