package ai.appliance.runtime.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
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

    private static AuditEvent event(String prompt) {
        return new AuditEvent(1, "req-1", "127.0.0.1:5000", "key", "user", "rest", "/v1/chat/completions", "m", "abc",
                prompt, 3, 4, 10, 200, "stop", 12);
    }

    @Test
    void rotatesDailyAndDeletesFilesPastTheRetention() throws Exception {
        var dir = Files.createTempDirectory("audit");
        var clock = new MovableClock();
        try (var log = new AuditLog(dir, 2, false, clock)) {
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
            assertTrue(line.contains("\"promptSha256\":\"abc\""));
        }
    }

    @Test
    void writesPromptsOnlyWhenConfigured() throws Exception {
        var dir = Files.createTempDirectory("audit");
        try (var log = new AuditLog(dir, 180, true, new MovableClock())) {
            log.write(event("keep me"));
        }
        var text = Files.readString(dir.resolve("audit-2026-01-01.jsonl"));
        assertEquals(1, text.lines().count());
        assertTrue(text.contains("\"prompt\":\"keep me\""));
    }
}
