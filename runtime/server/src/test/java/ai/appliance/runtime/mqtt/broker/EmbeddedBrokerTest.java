package ai.appliance.runtime.mqtt.broker;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.runtime.config.ApplianceConfig.ReplyTopicRule;
import ai.appliance.runtime.mqtt.ReplyTopics;
import ai.appliance.runtime.security.AccessControl;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedBrokerTest {

    static BrokerSettings loopback(int port, Path data) {
        return new BrokerSettings("127.0.0.1", port, null, 0, true, data, 4096, "appliance/t",
                new ReplyTopics(List.of(ReplyTopicRule.DEFAULT), "appliance/t", "devices/{device}/errors"),
                AccessControl.disabled());
    }

    @Test
    void aTakenPortFailsWithOneActionableLine(@TempDir Path data) throws Exception {
        try (var taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            var e = assertThrows(IllegalStateException.class, () -> EmbeddedBroker.start(loopback(port, data)));
            assertTrue(e.getMessage().startsWith("cannot start the embedded MQTT broker on 127.0.0.1:" + port + ": "),
                    e.getMessage());
            assertTrue(e.getMessage().endsWith("(set mqtt.embedded.port, or mqtt.broker-url for an external broker)"),
                    e.getMessage());
            assertTrue(e.getMessage().lines().count() == 1, e.getMessage());
        }
    }

    @Test
    void anonymousClientsOnANetworkAddressAreRefusedAtStart(@TempDir Path data) {
        var e = assertThrows(IllegalArgumentException.class, () -> new BrokerSettings("0.0.0.0", 0, null, 0, true, data,
                4096, "appliance/t", new ReplyTopics(List.of(ReplyTopicRule.DEFAULT), "appliance/t", "devices/{device}/errors"),
                AccessControl.disabled()));
        assertTrue(e.getMessage().contains("mqtt.embedded.allow-anonymous"), e.getMessage());
    }

    @Test
    void aNetworkAddressWithSecurityOffIsRefusedAtStart(@TempDir Path data) {
        var e = assertThrows(IllegalArgumentException.class, () -> new BrokerSettings("0.0.0.0", 0, null, 0, false, data,
                4096, "appliance/t", new ReplyTopics(List.of(ReplyTopicRule.DEFAULT), "appliance/t", "devices/{device}/errors"),
                AccessControl.disabled()));
        assertTrue(e.getMessage().contains("security is off"), e.getMessage());
    }
}
