package ai.appliance.runtime.mqtt;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;

/** A private Mosquitto (Debian package) on a free loopback port; fails loudly when the binary is missing. */
final class Mosquitto implements AutoCloseable {

    final int port;
    private final Process process;

    private Mosquitto(int port, Process process) {
        this.port = port;
        this.process = process;
    }

    static Mosquitto start(Path dir, int port) throws Exception {
        var binary = Path.of("/usr/sbin/mosquitto");
        if (!Files.isExecutable(binary)) {
            fail("mosquitto is not installed at " + binary + ": apt-get install mosquitto (.ci/run does)");
        }
        var conf = dir.resolve("mosquitto-" + port + ".conf");
        Files.writeString(conf, "listener " + port + " 127.0.0.1\nallow_anonymous true\npersistence false\n");
        var process = new ProcessBuilder(binary.toString(), "-c", conf.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("mosquitto-" + port + ".log").toFile()).start();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            try (var s = new Socket("127.0.0.1", port)) {
                return new Mosquitto(port, process);
            } catch (IOException e) {
                if (!process.isAlive()) {
                    fail("mosquitto exited: " + Files.readString(dir.resolve("mosquitto-" + port + ".log")));
                }
                Thread.sleep(50);
            }
        }
        process.destroyForcibly();
        fail("mosquitto did not open port " + port);
        return null;
    }

    String url() {
        return "tcp://127.0.0.1:" + port;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor();
    }
}
