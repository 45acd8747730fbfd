package ai.appliance.runtime.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * Append-only audit trail as JSON lines in {@code <dir>/audit-YYYY-MM-DD.jsonl} (UTC days): a new file each
 * day, files older than the retention are deleted. Prompt text is written only when {@code includePrompts};
 * otherwise a keyed digest of it ({@link PromptDigest}). Files are readable by the owner (and a configured
 * group) only ({@link AuditFiles}).
 */
public final class AuditLog implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(AuditLog.class.getName());
    private static final Pattern FILE = Pattern.compile("audit-(\\d{4}-\\d{2}-\\d{2})\\.jsonl");

    private final Path directory;
    private final int retentionDays;
    private final boolean includePrompts;
    private final AuditFiles files;
    private final PromptDigest promptDigest;
    private final Clock clock;
    private final ObjectMapper json = new ObjectMapper();
    private LocalDate day;
    private BufferedWriter writer;

    /**
     * @param files        who may read the files (owner only, or a group too)
     * @param promptDigest keyed digest written as {@code promptHmac}
     */
    public AuditLog(Path directory, int retentionDays, boolean includePrompts, AuditFiles files,
                    PromptDigest promptDigest, Clock clock) {
        if (retentionDays < 1) {
            throw new IllegalArgumentException("audit retention-days must be at least 1, was " + retentionDays);
        }
        this.directory = directory;
        this.retentionDays = retentionDays;
        this.includePrompts = includePrompts;
        this.files = files;
        this.promptDigest = promptDigest;
        this.clock = clock;
        files.prepareDirectory(directory);
    }

    /** The digest of {@code prompt} that audit lines carry (HMAC-SHA256 with this appliance's key). */
    public String promptDigest(String prompt) {
        return promptDigest.of(prompt);
    }

    public Path directory() {
        return directory;
    }

    public boolean includePrompts() {
        return includePrompts;
    }

    public synchronized void write(AuditEvent event) {
        try {
            var today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
            if (!today.equals(day)) {
                rotate(today);
            }
            var record = includePrompts || event.prompt() == null ? event : withoutPrompt(event);
            var node = json.valueToTree(record);
            if (!includePrompts) {
                ((com.fasterxml.jackson.databind.node.ObjectNode) node).remove("prompt");
            }
            writer.write(json.writeValueAsString(node));
            writer.newLine();
            writer.flush();
        } catch (IOException e) {
            // The request has been served; losing its audit line must be loud but must not fail the client.
            LOG.log(Level.SEVERE, "cannot write the audit log in " + directory + ": " + e.getMessage());
        }
    }

    public Path currentFile() {
        return directory.resolve("audit-" + LocalDate.now(clock.withZone(ZoneOffset.UTC)) + ".jsonl");
    }

    private static AuditEvent withoutPrompt(AuditEvent e) {
        return new AuditEvent(e.timestampMillis(), e.requestId(), e.client(), e.principal(), e.role(), e.frontEnd(), e.endpoint(),
                e.model(), e.promptHmac(), null, e.promptTokens(), e.completionTokens(), e.responseChars(),
                e.status(), e.finishReason(), e.latencyMillis(), e.route(), e.target(), e.fallbackReason(), e.localOnly());
    }

    private void rotate(LocalDate today) throws IOException {
        if (writer != null) {
            writer.close();
        }
        day = today;
        var file = directory.resolve("audit-" + today + ".jsonl");
        files.prepareFile(file);
        writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        deleteExpired(today);
    }

    /** Deletes daily files older than the retention (run at each rotation, so at least daily). */
    void deleteExpired(LocalDate today) throws IOException {
        var oldestKept = today.minusDays(retentionDays - 1L);
        try (var files = Files.list(directory)) {
            for (var file : (Iterable<Path>) files::iterator) {
                var m = FILE.matcher(file.getFileName().toString());
                if (m.matches() && LocalDate.parse(m.group(1)).isBefore(oldestKept)) {
                    Files.deleteIfExists(file);
                }
            }
        }
    }

    @Override
    public synchronized void close() {
        if (writer != null) {
            try {
                writer.close();
            } catch (IOException e) {
                LOG.warning("closing the audit log failed: " + e.getMessage());
            }
            writer = null;
            day = null;
        }
    }
}
