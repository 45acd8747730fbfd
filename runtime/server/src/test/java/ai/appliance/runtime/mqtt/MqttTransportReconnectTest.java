package ai.appliance.runtime.mqtt;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.runtime.server.Harness;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Both transports, started while their broker is down, connect through the ReconnectLoop once it is up. */
class MqttTransportReconnectTest {

    @ParameterizedTest
    @ValueSource(strings = {"3.1.1", "5"})
    void connectsInTheBackgroundOnceTheBrokerComesUp(String protocol, @TempDir Path dir) throws Exception {
        int port = Harness.freePort();
        var url = "tcp://127.0.0.1:" + port;
        var connected = new CountDownLatch(1);
        var listener = new MqttTransport.Listener() {
            @Override
            public void connected() {
                connected.countDown();
            }

            @Override
            public void disconnected(String reason) {
            }

            @Override
            public void arrived(MqttTransport.Incoming message) {
            }
        };
        MqttTransport transport = protocol.equals("5")
                ? new Mqtt5Transport(url, "reconnect-5", null, null, null)
                : new Mqtt3Transport(url, "reconnect-3", null, null, null);
        try {
            assertFalse(transport.connect(listener, "appliance/reconnect/status",
                    "offline".getBytes(StandardCharsets.UTF_8)), "nothing listens on " + url + " yet");
            try (var broker = Mosquitto.start(dir, port)) {
                // Attempts come 1, 2, 4 s after the first: the broker is up well before the second.
                assertTrue(connected.await(10, TimeUnit.SECONDS), "connected once the broker is up");
                assertTrue(transport.isConnected());
            }
        } finally {
            transport.close();
        }
    }
}
