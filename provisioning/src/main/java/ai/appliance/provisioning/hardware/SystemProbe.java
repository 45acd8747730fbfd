package ai.appliance.provisioning.hardware;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The few things detection and doctor read from the operating system, behind one interface so that tests replay
 * recorded files, command outputs and libraries instead of the build machine's own.
 */
public interface SystemProbe {

    /** The file's text, or empty when it does not exist or cannot be read (absence is a normal answer). */
    Optional<String> readFile(Path path);

    /** The command's standard output when it ran and exited 0; empty when it is not installed or failed. */
    Optional<String> run(List<String> command);

    /**
     * Whether the dynamic loader opens this shared library: a file name is searched as dlopen searches
     * (LD_LIBRARY_PATH, the ld.so cache, the default folders), a name with a slash is that file.
     */
    boolean canLoadLibrary(String library);

    long freeDiskBytes(Path directory);

    String hostname();

    String architecture();

    int availableProcessors();
}
