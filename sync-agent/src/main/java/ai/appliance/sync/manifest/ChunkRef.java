package ai.appliance.sync.manifest;

/** One chunk of a file: its content address and length. */
public record ChunkRef(String id, long size) {}
