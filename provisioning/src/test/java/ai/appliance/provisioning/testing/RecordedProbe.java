package ai.appliance.provisioning.testing;

import ai.appliance.provisioning.hardware.SystemProbe;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Replays recorded files, command outputs and loadable libraries; anything not recorded is absent, as on a bare box.
 * Recordings are test resources under /detect, or text given inline.
 */
public final class RecordedProbe implements SystemProbe {

    private final Map<String, String> files = new HashMap<>();
    private final Map<List<String>, String> commands = new HashMap<>();
    private final Set<String> libraries = new HashSet<>();

    /** The file at {@code path} reads as the resource /detect/{@code resource}. */
    public RecordedProbe file(String path, String resource) {
        return fileText(path, resource(resource));
    }

    public RecordedProbe fileText(String path, String text) {
        files.put(path, text);
        return this;
    }

    /** {@code command} prints the resource /detect/{@code resource} and exits 0. */
    public RecordedProbe command(String resource, String... command) {
        return commandOutput(resource(resource), command);
    }

    public RecordedProbe commandOutput(String output, String... command) {
        commands.put(List.of(command), output);
        return this;
    }

    /** The dynamic loader opens {@code library} (a soname or a path, exactly as asked for). */
    public RecordedProbe library(String library) {
        libraries.add(library);
        return this;
    }

    @Override public Optional<String> readFile(Path path) { return Optional.ofNullable(files.get(path.toString())); }
    @Override public Optional<String> run(List<String> command) { return Optional.ofNullable(commands.get(command)); }
    @Override public boolean canLoadLibrary(String library) { return libraries.contains(library); }
    @Override public long freeDiskBytes(Path directory) { return 98_000_000_000L; }
    @Override public String hostname() { return "recorded"; }
    @Override public String architecture() { return "aarch64"; }
    @Override public int availableProcessors() { return 6; }

    private static String resource(String name) {
        try (var in = RecordedProbe.class.getResourceAsStream("/detect/" + name)) {
            if (in == null) throw new IllegalStateException("missing test resource /detect/" + name);
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
