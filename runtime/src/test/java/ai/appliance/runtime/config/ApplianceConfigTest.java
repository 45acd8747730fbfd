package ai.appliance.runtime.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ApplianceConfigTest {

    @Test
    void theEmbeddedDefaultListensOnTheUsualPorts() {
        var config = ApplianceConfig.load(Optional.empty(), Map.of());
        assertEquals(8080, config.http().port());
        assertEquals(9090, config.grpc().port());
        assertEquals(1883, config.mqtt().embeddedPort());
    }

    @Test
    void aPortOutsideTheTcpRangeIsRefusedNamingItsKey() {
        for (var entry : Map.of("server.port", "99999", "grpc.port", "-1", "mqtt.embedded.port", "70000").entrySet()) {
            var e = assertThrows(IllegalArgumentException.class,
                    () -> ApplianceConfig.load(Optional.empty(), Map.of(entry.getKey(), entry.getValue())));
            assertEquals(entry.getKey() + " must be between 0 and 65535 (0 picks a free port), was " + entry.getValue(),
                    e.getMessage());
        }
    }
}
