package ai.appliance.sync.util;

/** Receives progress of long work: done and total in bytes. */
@FunctionalInterface
public interface Progress {
    Progress NONE = (done, total) -> {};

    void update(long done, long total);
}
