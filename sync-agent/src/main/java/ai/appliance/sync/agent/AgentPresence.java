package ai.appliance.sync.agent;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Whether a sync agent runs on a store root: every agent holds the lock on {@code <root>/.agent.lock} while it
 * runs, and the operating system drops it when the process dies, however it dies. So a state file saying
 * "downloading" with nobody holding the lock is a download that was interrupted, not one in progress.
 */
public final class AgentPresence {
    private AgentPresence() {}

    /**
     * Takes and at once releases the lock to see whether someone holds it. An agent starting in that instant would
     * find it taken and refuse to start, saying so; that is the price of asking the operating system instead of
     * trusting a heartbeat.
     */
    public static boolean running(Path storeRoot) {
        var lockFile = new LocalLayout(storeRoot).lockFile();
        if (!Files.exists(lockFile)) return false;
        try (var ch = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
            var lock = ch.tryLock();
            if (lock == null) return true;
            lock.release();
            return false;
        } catch (OverlappingFileLockException e) {
            return true; // held by an agent in this JVM (serve runs one in-process)
        } catch (IOException e) {
            return true; // cannot tell: do not call a live agent dead
        }
    }
}
