package ai.appliance.sync.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;

/** A private mosquitto broker on a free port; fails loudly when the binary is missing (never skips). */
public final class Mosquitto implements AutoCloseable {
    private final Process process;
    public final int port;

    public Mosquitto(Path dir) throws Exception {
        var binary = java.util.stream.Stream.of("/usr/sbin/mosquitto", "/usr/bin/mosquitto", "/usr/local/sbin/mosquitto")
                .map(Path::of).filter(Files::isExecutable).findFirst()
                .orElseThrow(() -> new IllegalStateException("mosquitto binary not found: apt-get install -y mosquitto"));
        try (var s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        var conf = dir.resolve("mosquitto.conf");
        Files.writeString(conf, "listener " + port + " 127.0.0.1\nallow_anonymous true\npersistence false\n");
        process = new ProcessBuilder(binary.toString(), "-c", conf.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("mosquitto.log").toFile()).start();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            try (var ignored = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                if (!process.isAlive()) throw new IllegalStateException("mosquitto exited: " + Files.readString(dir.resolve("mosquitto.log")));
                if (System.nanoTime() > deadline) throw new IllegalStateException("mosquitto did not listen on " + port);
                Thread.sleep(20);
            }
        }
    }

    public String uri() {
        return "tcp://127.0.0.1:" + port;
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        process.waitFor();
    }
}
