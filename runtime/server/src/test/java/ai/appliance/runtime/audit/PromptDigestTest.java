package ai.appliance.runtime.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PromptDigestTest {

    @Test
    void aShortPromptCannotBeConfirmedWithAPlainSha256(@TempDir Path dir) throws Exception {
        var digest = PromptDigest.loadOrCreate(dir.resolve("audit.key"));
        var plain = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest("yes".getBytes(StandardCharsets.UTF_8)));
        assertNotEquals(plain, digest.of("yes"));
        assertEquals(64, digest.of("yes").length());
    }

    @Test
    void theKeyIsMadeOnceOwnerOnlyAndKeptSoDigestsStayComparable(@TempDir Path dir) throws Exception {
        var keyFile = dir.resolve("state/audit.key");
        var first = PromptDigest.loadOrCreate(keyFile).of("same prompt");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)));
        assertEquals(first, PromptDigest.loadOrCreate(keyFile).of("same prompt"));
        assertNotEquals(first, PromptDigest.loadOrCreate(dir.resolve("other.key")).of("same prompt"),
                "another appliance's key gives another digest");
    }

    @Test
    void aDamagedKeyFileIsRefusedSayingWhatToDo(@TempDir Path dir) throws Exception {
        var keyFile = Files.writeString(dir.resolve("audit.key"), "not hex");
        var e = assertThrows(IllegalArgumentException.class, () -> PromptDigest.loadOrCreate(keyFile));
        assertTrue(e.getMessage().contains("delete it to have a new key made"), e.getMessage());
    }
}
