package ai.appliance.provisioning.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs Debian's promtool (package prometheus, which ./test installs). Missing, it fails the test with the install
 * command: the rules are only proven by running them.
 */
final class Promtool {

    /** Exit status and the combined output of one run. */
    record Result(int exitCode, String output) { }

    private final Path binary;

    private Promtool(Path binary) {
        this.binary = binary;
    }

    static Promtool require() {
        for (var candidate : List.of(Path.of("/usr/bin/promtool"), Path.of("/usr/local/bin/promtool"))) {
            if (Files.isExecutable(candidate)) {
                return new Promtool(candidate);
            }
        }
        return fail("promtool is missing: install Debian's prometheus package (apt-get install prometheus; ./test does)");
    }

    Result run(Path workingDirectory, String... arguments) throws IOException, InterruptedException {
        var command = new ArrayList<String>();
        command.add(binary.toString());
        command.addAll(List.of(arguments));
        var process = new ProcessBuilder(command).directory(workingDirectory.toFile()).redirectErrorStream(true).start();
        var output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return fail("promtool did not finish: " + command);
        }
        return new Result(process.exitValue(), output);
    }
}
