package ai.appliance.sync.store;

import ai.appliance.sync.SyncException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class FailoverStoreTest {
    @Test
    void readsFromTheFirstStoreThatAnswersAndRemembersIt(@TempDir Path tmp) throws Exception {
        var down = new FolderStore(tmp.resolve("unmounted-usb"));
        var up = new FolderStore(Files.createDirectories(tmp.resolve("dr")));
        up.put("root.json", new byte[]{1});
        var stores = new FailoverStore(List.of(down, up));
        assertArrayEquals(new byte[]{1}, stores.get("root.json").orElseThrow());
        assertEquals(up.describe(), stores.answering());
        // A reachable store saying "absent" is an answer, not an outage.
        assertTrue(stores.get("roots/2.json").isEmpty());
        assertThrows(SyncException.NotFound.class, () -> stores.getFrom("chunks/ab/none", 0));
    }

    @Test
    void reportsOfflineOnlyWhenNoStoreAnswers(@TempDir Path tmp) {
        var stores = new FailoverStore(List.of(new FolderStore(tmp.resolve("a")), new FolderStore(tmp.resolve("b"))));
        var e = assertThrows(SyncException.StoreUnavailable.class, () -> stores.get("root.json"));
        assertTrue(e.getMessage().startsWith("no store answered for root.json"), e.getMessage());
    }
}
