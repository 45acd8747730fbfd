package ai.appliance.runtime.mqtt;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Debian's mosquitto_pub and mosquitto_sub (package mosquitto-clients; ./test installs it) as real device
 * processes; fails loudly when they are missing.
 */
final class MosquittoClients {

    private static final Path PUB = Path.of("/usr/bin/mosquitto_pub");
    private static final Path SUB = Path.of("/usr/bin/mosquitto_sub");
    private static final Path STDBUF = Path.of("/usr/bin/stdbuf");

    /** The outcome of a process that ran to its end. */
    record Exit(int code, String output) { }

    private MosquittoClients() {
    }

    static void requireInstalled() {
        if (!Files.isExecutable(PUB) || !Files.isExecutable(SUB)) {
            fail("mosquitto_pub/mosquitto_sub are not installed at /usr/bin: apt-get install mosquitto-clients (./test does)");
        }
    }

    /** Runs mosquitto_pub with {@code args} and waits for it (30 s at most). */
    static Exit publish(List<String> args) throws Exception {
        requireInstalled();
        var command = new ArrayList<String>();
        command.add(PUB.toString());
        command.addAll(args);
        var process = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("mosquitto_pub did not finish in 30 s: " + command);
        }
        return new Exit(process.exitValue(), new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    /**
     * A running mosquitto_sub with {@code -d -F %J}: its debug lines tell when the broker answered the
     * subscription (and with which code), and every received message arrives as one JSON line.
     */
    static final class Subscriber implements AutoCloseable {
        private final Process process;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final StringBuilder transcript = new StringBuilder();

        Subscriber(List<String> args) throws IOException {
            requireInstalled();
            // stdbuf: to a pipe mosquitto_sub's output is block-buffered, and the SUBACK line would never come.
            var command = new ArrayList<String>(List.of(STDBUF.toString(), "-oL", SUB.toString(), "-d", "-F", "%J"));
            command.addAll(args);
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
            Thread.ofVirtual().name("mosquitto_sub-reader").start(() -> {
                try (var reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = reader.readLine()) != null) {
                        lines.add(line);
                    }
                } catch (IOException e) {
                    lines.add("(reading mosquitto_sub failed: " + e.getMessage() + ")");
                }
            });
        }

        /**
         * Waits (30 s at most) until the broker answered the subscription; returns the granted codes line
         * ("Subscribed (mid: 1): 1" is QoS 1 granted, 135 is "not authorized"), or the output so far if the
         * process ended first (refused connection).
         */
        String awaitSubscribed() throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                var line = lines.poll(100, TimeUnit.MILLISECONDS);
                if (line != null) {
                    transcript.append(line).append('\n');
                    if (line.startsWith("Subscribed")) {
                        return line;
                    }
                } else if (!process.isAlive() && lines.isEmpty()) {
                    return "exited " + process.exitValue() + ": " + transcript;
                }
            }
            fail("mosquitto_sub got no SUBACK in 30 s: " + transcript);
            return null;
        }

        /** The next message (30 s at most) as mosquitto_sub's JSON: topic, properties, payload. */
        JsonNode nextMessage() throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                var line = lines.poll(100, TimeUnit.MILLISECONDS);
                if (line == null) {
                    continue;
                }
                transcript.append(line).append('\n');
                if (line.startsWith("{")) {
                    return Devices.JSON.readTree(line);
                }
            }
            fail("mosquitto_sub received no message in 30 s: " + transcript);
            return null;
        }

        /** Waits for the process to end by itself (30 s at most). */
        Exit awaitExit() throws Exception {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                fail("mosquitto_sub did not end in 30 s: " + transcript);
            }
            Thread.sleep(100); // the reader thread drains what is left
            String line;
            while ((line = lines.poll()) != null) {
                transcript.append(line).append('\n');
            }
            return new Exit(process.exitValue(), transcript.toString());
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
