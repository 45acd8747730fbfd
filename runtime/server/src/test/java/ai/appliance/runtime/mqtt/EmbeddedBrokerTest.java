package ai.appliance.runtime.mqtt;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedBrokerTest {

    @Test
    void aTakenPortFailsWithOneActionableLine(@TempDir Path data) throws Exception {
        try (var taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            var e = assertThrows(IllegalStateException.class, () -> EmbeddedBroker.start("127.0.0.1", port, data, 4096));
            assertTrue(e.getMessage().startsWith("cannot start the embedded MQTT broker on 127.0.0.1:" + port + ": "),
                    e.getMessage());
            assertTrue(e.getMessage().endsWith("(set mqtt.embedded.port, or mqtt.broker-url for an external broker)"),
                    e.getMessage());
            assertTrue(e.getMessage().lines().count() == 1, e.getMessage());
        }
    }
}
