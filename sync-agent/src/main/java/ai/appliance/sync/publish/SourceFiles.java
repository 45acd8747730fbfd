package ai.appliance.sync.publish;

import ai.appliance.sync.SyncException;
import ai.appliance.sync.manifest.Names;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.stream.Stream;

/** The files of a model folder (or one file) as a release holds them: relative paths checked against §1. */
public final class SourceFiles {
    /** One file: its path in the release and where it is on disk. */
    public record SourceFile(String path, Path file) {}

    private SourceFiles() {}

    public static List<SourceFile> list(Path source) throws IOException {
        if (Files.isRegularFile(source)) {
            return List.of(new SourceFile(Names.filePath(source.getFileName().toString()), source));
        }
        if (!Files.isDirectory(source)) throw new SyncException.UsageError("nothing to publish at " + source);
        var out = new ArrayList<SourceFile>();
        var seen = new HashSet<String>();
        try (Stream<Path> s = Files.walk(source)) {
            for (var p : s.filter(Files::isRegularFile).sorted().toList()) {
                var rel = source.relativize(p).toString().replace('\\', '/');
                if (rel.startsWith(".") || rel.contains("/.")) continue; // hidden files (.git, editor swap files) are not model data
                try {
                    Names.filePath(rel);
                } catch (SyncException.MalformedMetadata e) {
                    throw new SyncException.UsageError("cannot publish " + p + ": " + e.getMessage());
                }
                if (seen.add(rel)) out.add(new SourceFile(rel, p));
            }
        }
        if (out.isEmpty()) throw new SyncException.UsageError("no files to publish in " + source);
        return out;
    }
}
