package ai.appliance.common;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretKeyFileTest {

    @Test
    void aNewKeyIs64HexDigitsReadableByItsOwnerOnly(@TempDir Path dir) throws Exception {
        var file = dir.resolve("deep/folder/k.key");
        var key = SecretKeyFile.create(file);
        assertEquals(SecretKeyFile.KEY_BYTES, key.length);
        assertEquals(HexFormat.of().formatHex(key) + "\n", Files.readString(file, StandardCharsets.US_ASCII));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertArrayEquals(key, SecretKeyFile.loadOrCreate(file, "test key", ""), "an existing key is kept");
        try (var left = Files.list(file.getParent())) {
            assertEquals(1, left.count(), "no temporary file is left behind");
        }
    }

    @Test
    void anExistingKeyIsNeverReplaced(@TempDir Path dir) throws Exception {
        var file = dir.resolve("k.key");
        var first = SecretKeyFile.create(file);
        assertThrows(FileAlreadyExistsException.class, () -> SecretKeyFile.create(file));
        assertArrayEquals(first, SecretKeyFile.read(file, "test key", ""));
    }

    @Test
    void textThatIsNotAKeyIsRefusedNamingTheSourceAndTheRemedy() {
        var e = assertThrows(IllegalArgumentException.class, () -> SecretKeyFile.parse("abc", "key file k.key", "make another"));
        assertEquals("key file k.key must hold 64 lower-case hex digits; make another", e.getMessage());
        assertTrue(SecretKeyFile.parse(" " + "0f".repeat(32) + "\n", "k", "").length == 32, "white space around is ignored");
    }
}
