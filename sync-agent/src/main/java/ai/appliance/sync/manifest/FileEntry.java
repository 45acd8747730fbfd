package ai.appliance.sync.manifest;

import java.util.List;

/** One file of a model version, with the ordered chunks that make it up. */
public record FileEntry(String path, long size, String sha256, List<ChunkRef> chunks) {}
