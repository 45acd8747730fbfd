package ai.appliance.sync.manifest;

import ai.appliance.sync.SyncException;
import ai.appliance.sync.chunk.ChunkingParams;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The signed description of one model version (docs/formats.md §5). */
public record Manifest(String type, int formatVersion, String model, String version, long serial,
                       String created, String expires, ChunkingParams chunking, List<FileEntry> files) {
    public static final String TYPE = "manifest";

    /** Checks every rule that does not need a key: names, paths, sizes, hashes spelled right. */
    public Manifest validated(String what) {
        if (!TYPE.equals(type) || formatVersion != 1) {
            throw new SyncException.MalformedMetadata(what + ": not a format-1 manifest (type=" + type + ", formatVersion=" + formatVersion + ")");
        }
        Names.model(model);
        Names.version(version);
        if (serial < 1) throw new SyncException.MalformedMetadata(what + ": serial must be >= 1");
        if (chunking == null || files == null) throw new SyncException.MalformedMetadata(what + ": chunking or files missing");
        var seen = new java.util.HashSet<String>();
        for (var f : files) {
            Names.filePath(f.path());
            if (!seen.add(f.path())) throw new SyncException.MalformedMetadata(what + ": file '" + f.path() + "' listed twice");
            Names.sha256(f.sha256());
            long sum = 0;
            for (var c : f.chunks()) {
                Names.chunkId(c.id());
                if (c.size() <= 0 || c.size() > chunking.max()) {
                    throw new SyncException.MalformedMetadata(what + ": chunk " + c.id() + " of '" + f.path() + "' has size " + c.size());
                }
                sum += c.size();
            }
            if (sum != f.size()) {
                throw new SyncException.MalformedMetadata(what + ": chunks of '" + f.path() + "' add up to " + sum + " bytes, file size is " + f.size());
            }
        }
        return this;
    }

    /** Distinct chunks of this version with their sizes, in first-use order. */
    public Map<String, Long> distinctChunks() {
        var out = new LinkedHashMap<String, Long>();
        for (var f : files) for (var c : f.chunks()) out.putIfAbsent(c.id(), c.size());
        return out;
    }

    public long totalBytes() {
        return files.stream().mapToLong(FileEntry::size).sum();
    }
}
