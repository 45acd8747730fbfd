package ai.appliance.runtime.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class AuditLogTest {

    /** A clock the test moves forward. */
    private static final class MovableClock extends Clock {
        final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T10:00:00Z"));

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    }

    private static PromptDigest digest(java.nio.file.Path dir) {
        return PromptDigest.loadOrCreate(dir.resolveSibling(dir.getFileName() + ".key"));
    }

    private static AuditEvent event(String prompt) {
        return new AuditEvent(1, "req-1", "127.0.0.1:5000", "key", "user", "rest", "/v1/chat/completions", "m", "abc",
                prompt, 3, 4, 10, 200, "stop", 12);
    }

    @Test
    void rotatesDailyAndDeletesFilesPastTheRetention() throws Exception {
        var dir = Files.createTempDirectory("audit");
        var clock = new MovableClock();
        try (var log = new AuditLog(dir, 2, false, AuditFiles.ownerOnly(), digest(dir), clock)) {
            log.write(event("secret one"));
            clock.now.set(Instant.parse("2026-01-02T10:00:00Z"));
            log.write(event("secret two"));
            assertTrue(Files.exists(dir.resolve("audit-2026-01-01.jsonl")));
            assertTrue(Files.exists(dir.resolve("audit-2026-01-02.jsonl")));
            clock.now.set(Instant.parse("2026-01-03T00:00:01Z"));
            log.write(event("secret three"));
            assertFalse(Files.exists(dir.resolve("audit-2026-01-01.jsonl")), "older than 2 days: deleted");
            assertTrue(Files.exists(dir.resolve("audit-2026-01-02.jsonl")));
            var line = Files.readString(dir.resolve("audit-2026-01-03.jsonl")).strip();
            assertFalse(line.contains("secret"), "prompts are not written unless configured");
            assertFalse(line.contains("\"prompt\""));
            assertTrue(line.contains("\"promptHmac\":\"abc\""));
        }
    }

    @Test
    void writesPromptsOnlyWhenConfigured() throws Exception {
        var dir = Files.createTempDirectory("audit");
        try (var log = new AuditLog(dir, 180, true, AuditFiles.ownerOnly(), digest(dir), new MovableClock())) {
            log.write(event("keep me"));
        }
        var text = Files.readString(dir.resolve("audit-2026-01-01.jsonl"));
        assertEquals(1, text.lines().count());
        assertTrue(text.contains("\"prompt\":\"keep me\""));
    }

    @Test
    void auditFilesAndTheirFolderAreReadableByTheOwnerOnly() throws Exception {
        var dir = Files.createTempDirectory("audit").resolve("log");
        try (var log = new AuditLog(dir, 180, false, AuditFiles.ownerOnly(), digest(dir), new MovableClock())) {
            log.write(event("hello"));
        }
        assertEquals("rw-------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve("audit-2026-01-01.jsonl"))));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
    }

    @Test
    void aFileLeftWorldReadableByAnEarlierVersionIsTightenedWhenWrittenTo() throws Exception {
        var dir = Files.createTempDirectory("audit");
        var file = Files.writeString(dir.resolve("audit-2026-01-01.jsonl"), "{}\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        try (var log = new AuditLog(dir, 180, false, AuditFiles.ownerOnly(), digest(dir), new MovableClock())) {
            log.write(event("hello"));
        }
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    }

    @Test
    void aConfiguredGroupMayReadTheFiles() throws Exception {
        var dir = Files.createTempDirectory("audit");
        var group = Files.readAttributes(dir, java.nio.file.attribute.PosixFileAttributes.class).group().getName();
        try (var log = new AuditLog(dir, 180, false, new AuditFiles(group), digest(dir), new MovableClock())) {
            log.write(event("hello"));
        }
        var file = dir.resolve("audit-2026-01-01.jsonl");
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(group, Files.readAttributes(file, java.nio.file.attribute.PosixFileAttributes.class).group().getName());
    }

    @Test
    void anUnknownGroupIsRefusedNamingTheSetting() throws Exception {
        var dir = Files.createTempDirectory("audit");
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new AuditLog(dir, 180, false, new AuditFiles("no-such-group-xyz"), digest(dir), new MovableClock()));
        assertEquals("audit.file-group: there is no group 'no-such-group-xyz' on this host", e.getMessage());
    }
}
