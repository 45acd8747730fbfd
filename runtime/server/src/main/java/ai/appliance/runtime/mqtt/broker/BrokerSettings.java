package ai.appliance.runtime.mqtt.broker;

import ai.appliance.runtime.config.ApplianceConfig;
import ai.appliance.runtime.mqtt.ReplyTopics;
import ai.appliance.runtime.net.ListenPort;
import ai.appliance.runtime.security.AccessControl;
import ai.appliance.runtime.security.TlsConfig;
import java.nio.file.Path;

/**
 * What the embedded broker runs with.
 *
 * @param host           address of both listeners
 * @param port           plain MQTT listener (0: a free port)
 * @param tls            null: no TLS listener; else its certificate, trust bundle, CRL and client-auth mode
 * @param tlsPort        the TLS listener (0: a free port)
 * @param allowAnonymous clients without credentials get in (loopback only) with no topic restrictions
 * @param maxPacketBytes largest MQTT packet; larger ones make the broker drop the client
 * @param topicPrefix    the gateway's topics, {@code appliance/{id}}
 * @param replyTopics    the reply topics each device may subscribe to (the gateway only replies there)
 * @param access         API keys and certificate roles, as for HTTP
 */
public record BrokerSettings(String host, int port, TlsConfig tls, int tlsPort, boolean allowAnonymous, Path dataDir,
                             int maxPacketBytes, String topicPrefix, ReplyTopics replyTopics, AccessControl access) {

    public BrokerSettings {
        if (allowAnonymous && !ListenPort.isLoopback(host)) {
            throw new IllegalArgumentException("mqtt.embedded.allow-anonymous is true but mqtt.embedded.host " + host
                    + " is reachable from the network: anyone there could read every device's prompts; leave it"
                    + " out (devices then authenticate) or bind to 127.0.0.1");
        }
        if (!allowAnonymous && !access.enabled()) {
            throw new IllegalArgumentException("the embedded MQTT broker on " + host + " requires authentication"
                    + (ListenPort.isLoopback(host) ? " (mqtt.embedded.allow-anonymous: false)" : " (a network address)")
                    + " but security is off: configure security.api-keys (./appliance apikey makes one) or"
                    + " security.client-certificates with mqtt.embedded.tls, or bind to 127.0.0.1");
        }
    }

    /**
     * The broker {@code mqtt.*} configures: anonymous clients only on loopback unless
     * {@code mqtt.embedded.allow-anonymous} says otherwise.
     *
     * @throws IllegalArgumentException for a broker on the network that anyone could use
     */
    public static BrokerSettings of(ApplianceConfig.Mqtt mqtt, AccessControl access) {
        var topicPrefix = "appliance/" + mqtt.applianceId();
        boolean anonymous = mqtt.embeddedAllowAnonymous() != null ? mqtt.embeddedAllowAnonymous()
                : ListenPort.isLoopback(mqtt.embeddedHost());
        // Big enough that an oversized request reaches the gateway and gets an error reply instead of a drop.
        int maxPacket = mqtt.maxPayloadBytes() * 4 + 4096;
        return new BrokerSettings(mqtt.embeddedHost(), mqtt.embeddedPort(), mqtt.embeddedTls(), mqtt.embeddedTlsPort(),
                anonymous, mqtt.embeddedDataDir(), maxPacket, topicPrefix,
                new ReplyTopics(mqtt.replyTopics(), topicPrefix, mqtt.deviceErrorTopic()), access);
    }
}
