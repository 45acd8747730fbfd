package ai.appliance.runtime.mqtt;

import ai.appliance.runtime.config.ApplianceConfig;
import ai.appliance.runtime.security.TlsConfig;

/**
 * How the gateway reaches its broker.
 *
 * @param protocol311        MQTT 3.1.1 instead of 5 (external brokers configured with {@code mqtt.protocol: "3.1.1"})
 * @param tls                client TLS, or null for plain TCP
 * @param trustsDeviceStamps the broker is the embedded one, which authenticates devices and stamps their identity
 *                           on what they publish ({@link MqttDevice}); an external broker passes client-set
 *                           properties on, so its stamps are never believed
 */
public record BrokerConnection(String url, boolean protocol311, String username, String password, TlsConfig tls,
                               boolean trustsDeviceStamps) {

    /** An external broker, as {@code mqtt.*} configures it. */
    public static BrokerConnection external(ApplianceConfig.Mqtt settings) {
        return new BrokerConnection(settings.brokerUrl(), "3.1.1".equals(settings.protocol()), settings.username(),
                settings.password(), settings.tls(), false);
    }

    @Override
    public String toString() {
        // Never the password: this ends up in logs.
        return "BrokerConnection[" + url + ", " + (protocol311 ? "MQTT 3.1.1" : "MQTT 5")
                + (username == null ? "" : ", user " + username) + "]";
    }
}
