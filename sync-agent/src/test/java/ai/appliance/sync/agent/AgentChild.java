package ai.appliance.sync.agent;

import ai.appliance.sync.store.FolderStore;
import ai.appliance.sync.store.ObjectStore;

import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The agent in its own JVM for the kill -9 test: prints each state change on stdout (so the parent can aim its
 * kill at a phase) and appends every chunk it fetches to a log (so the parent can prove nothing verified is
 * fetched twice). Args: deviceRoot storeDir fetchLog bandwidthBytesPerSecond.
 */
public final class AgentChild {
    public static void main(String[] args) throws Exception {
        var deviceRoot = Path.of(args[0]);
        var storeDir = Path.of(args[1]);
        var log = new PrintStream(new FileOutputStream(args[2], true), true, StandardCharsets.UTF_8);
        var store = new Recording(new FolderStore(storeDir), log);
        var config = SyncConfig.of(deviceRoot, List.of(storeDir.toString()), List.of(new SyncConfig.ModelRef("m", "stable")))
                .withDeviceId("child").withRetries(2).withParallelism(2).withBandwidth(Long.parseLong(args[3]))
                .withLoadTimeout(Duration.ofHours(1));
        try (var agent = SyncAgent.builder().config(config).store(store)
                .listener(s -> System.out.println("STATE " + s.state() + " " + s.active())).build()) {
            var s = agent.runOnce().getFirst();
            System.out.println("DONE " + s.active() + " " + s.lastError());
        }
        System.out.flush();
    }

    /** Logs chunk GETs, one id per line, flushed at once (a kill must not lose the record of a fetch). */
    private record Recording(ObjectStore delegate, PrintStream log) implements ObjectStore {
        @Override public String describe() { return delegate.describe(); }
        @Override public Optional<byte[]> get(String key) { return delegate.get(key); }
        @Override public byte[] getFrom(String key, long offset) {
            if (key.startsWith("chunks/")) log.println(key.substring(key.lastIndexOf('/') + 1));
            return delegate.getFrom(key, offset);
        }
        @Override public OptionalLong size(String key) { return delegate.size(key); }
        @Override public void put(String key, byte[] data) { delegate.put(key, data); }
        @Override public void put(String key, Path file) { delegate.put(key, file); }
        @Override public List<String> list(String prefix) { return delegate.list(prefix); }
    }

}
