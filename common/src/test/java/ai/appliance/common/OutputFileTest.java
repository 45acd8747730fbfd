package ai.appliance.common;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputFileTest {

    @Test
    void anExistingFileIsReplacedOnlyWithForce(@TempDir Path dir) throws Exception {
        var model = Files.writeString(dir.resolve("model.gguf"), "the site's model");
        var e = assertThrows(IllegalArgumentException.class, () -> OutputFile.requireReplaceable(model, false));
        assertEquals(model + " exists; pass --force to replace it", e.getMessage());
        assertDoesNotThrow(() -> OutputFile.requireReplaceable(model, true));
        assertDoesNotThrow(() -> OutputFile.requireReplaceable(dir.resolve("new.gguf"), false));
    }

    @Test
    void aFolderIsNeverAnOutputFile(@TempDir Path dir) {
        var e = assertThrows(IllegalArgumentException.class, () -> OutputFile.requireReplaceable(dir, true));
        assertEquals(dir + " is a folder; give a file name", e.getMessage());
    }
}
