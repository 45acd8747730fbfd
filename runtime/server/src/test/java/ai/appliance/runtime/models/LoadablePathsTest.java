package ai.appliance.runtime.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoadablePathsTest {

    private static String refusal(LoadablePaths paths, String requested) {
        return assertThrows(LoadablePaths.NotLoadableException.class, () -> paths.resolve(requested)).getMessage();
    }

    @Test
    void modelsInTheStoreOrAConfiguredFolderAreFoundByAbsoluteOrRelativePath(@TempDir Path dir) throws Exception {
        var store = dir.resolve("store");
        var inStore = Files.createDirectories(store.resolve("models/m/versions/v1")).resolve("m.gguf");
        Files.writeString(inStore, "x");
        var folder = Files.createDirectories(dir.resolve("gguf"));
        var inFolder = Files.writeString(folder.resolve("other.gguf"), "x");
        var paths = LoadablePaths.of(store, List.of(folder));
        assertEquals(inStore.toRealPath(), paths.resolve(inStore.toString()));
        assertEquals(inStore.toRealPath(), paths.resolve("m/versions/v1/m.gguf"));
        assertEquals(inFolder.toRealPath(), paths.resolve("other.gguf"));
    }

    @Test
    void aMissingFileAndOneOutsideTheFoldersGetTheSameAnswer(@TempDir Path dir) throws Exception {
        var store = Files.createDirectories(dir.resolve("store/models"));
        var secret = Files.writeString(dir.resolve("secret.txt"), "root:x:0:0");
        Files.writeString(dir.resolve("store/audit.key"), "00");
        var paths = LoadablePaths.of(dir.resolve("store"), List.of());
        var missing = refusal(paths, store.resolve("nope.gguf").toString());
        assertEquals(LoadablePaths.REFUSAL, missing);
        assertEquals(missing, refusal(paths, "/etc/shadow"));
        assertEquals(missing, refusal(paths, "/etc/passwd"));
        assertEquals(missing, refusal(paths, secret.toString()));
        assertEquals(missing, refusal(paths, "../secret.txt"), "no way up out of the folder");
        assertEquals(missing, refusal(paths, "../audit.key"), "the store's own state is not a model");
        assertEquals(missing, refusal(paths, ""));
    }

    @Test
    void aLinkInsideTheStoreThatLeadsOutIsRefused(@TempDir Path dir) throws Exception {
        var models = Files.createDirectories(dir.resolve("store/models"));
        var outside = Files.writeString(dir.resolve("outside.gguf"), "x");
        Files.createSymbolicLink(models.resolve("link.gguf"), outside);
        var paths = LoadablePaths.of(dir.resolve("store"), List.of());
        assertEquals(LoadablePaths.REFUSAL, refusal(paths, models.resolve("link.gguf").toString()));
    }
}
