package ai.appliance.provisioning.hardware;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@link SystemProbe} on this machine: /proc, /sys, /etc, external commands with a time limit, and the dynamic loader.
 */
public final class LocalSystemProbe implements SystemProbe {

    private static final long COMMAND_TIMEOUT_SECONDS = 15;

    @Override
    public Optional<String> readFile(Path path) {
        try {
            if (!Files.isReadable(path)) return Optional.empty();
            return Optional.of(Files.readString(path, StandardCharsets.ISO_8859_1));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    @Override
    public Optional<String> run(List<String> command) {
        try {
            var process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            // Drain stdout on its own thread so that a chatty child cannot block on a full pipe while we wait
            // with a time limit (a hung nvidia-smi must not hang detection).
            var output = new java.util.concurrent.CompletableFuture<byte[]>();
            Thread.ofVirtual().start(() -> {
                try (var in = process.getInputStream()) {
                    output.complete(in.readAllBytes());
                } catch (IOException e) {
                    output.complete(new byte[0]);
                }
            });
            if (!process.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return Optional.empty();
            }
            var bytes = output.get(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return process.exitValue() == 0 ? Optional.of(new String(bytes, StandardCharsets.UTF_8)) : Optional.empty();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty(); // not installed: a normal answer on boxes without that hardware
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** Opens and closes the library again (dlopen, dlclose) in a confined arena: nothing of it is called. */
    @Override
    public boolean canLoadLibrary(String library) {
        try (var arena = Arena.ofConfined()) {
            if (library.contains("/")) SymbolLookup.libraryLookup(Path.of(library), arena);
            else SymbolLookup.libraryLookup(library, arena);
            return true;
        } catch (IllegalArgumentException e) {
            return false; // not there, or not loadable: both mean the backends could not use it either
        }
    }

    @Override
    public long freeDiskBytes(Path directory) {
        try {
            var existing = directory.toAbsolutePath();
            while (existing != null && !Files.exists(existing)) existing = existing.getParent();
            return existing == null ? 0 : Files.getFileStore(existing).getUsableSpace();
        } catch (IOException e) {
            return 0;
        }
    }

    @Override
    public String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }

    @Override
    public String architecture() {
        return System.getProperty("os.arch");
    }

    @Override
    public int availableProcessors() {
        return Runtime.getRuntime().availableProcessors();
    }
}
