package ai.appliance.runtime.watermark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WatermarkKeyTest {

    @Test
    void aKeyIsMadeOnceOwnerOnlyAndReadBackAsTheSameKey(@TempDir Path dir) throws Exception {
        var file = dir.resolve("keys/watermark.key");
        var made = WatermarkKey.loadOrCreate(file);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(made.id(), WatermarkKey.loadOrCreate(file).id());
        assertEquals(made.id(), WatermarkKey.read(file).id());
        var hex = Files.readString(file, StandardCharsets.US_ASCII).strip();
        assertEquals(made.id(), WatermarkKey.fromHex(hex.toUpperCase()).id(), "hex is read in either case");
        assertNotEquals(made.id(), WatermarkKey.loadOrCreate(dir.resolve("other.key")).id());
    }

    @Test
    void neitherItsTextNorItsIdRevealTheKey(@TempDir Path dir) throws Exception {
        var file = dir.resolve("watermark.key");
        var key = WatermarkKey.loadOrCreate(file);
        var hex = Files.readString(file, StandardCharsets.US_ASCII).strip();
        assertEquals(16, key.id().length());
        assertFalse(hex.contains(key.id()));
        assertFalse(key.toString().contains(hex.substring(0, 8)), key.toString());
        assertTrue(key.toString().contains(key.id()));
    }

    @Test
    void aMissingOrDamagedKeyIsRefusedSayingWhatToDo(@TempDir Path dir) throws Exception {
        var missing = assertThrows(IllegalArgumentException.class, () -> WatermarkKey.read(dir.resolve("none.key")));
        assertTrue(missing.getMessage().contains("watermark keygen"), missing.getMessage());
        var damaged = Files.writeString(dir.resolve("bad.key"), "0123");
        var e = assertThrows(IllegalArgumentException.class, () -> WatermarkKey.read(damaged));
        assertTrue(e.getMessage().contains("64 lower-case hex digits") && e.getMessage().contains("keygen"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> WatermarkKey.fromHex("xyz"));
    }
}
