package ai.appliance.runtime.mqtt;

import ai.appliance.runtime.net.ListenPort;
import io.moquette.broker.Server;
import io.moquette.broker.config.IConfig;
import io.moquette.broker.config.MemoryConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.logging.Logger;

/**
 * The MQTT broker the appliance runs itself when no external broker is configured: Moquette (the broker AWS
 * IoT Greengrass embeds), with persistent sessions on disk so requests queued for the appliance survive a
 * restart of the appliance.
 */
public final class EmbeddedBroker implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(EmbeddedBroker.class.getName());

    private static final String HINT = "set mqtt.embedded.port, or mqtt.broker-url for an external broker";

    private final Server server = new Server();
    private final String host;
    private final int port;

    private EmbeddedBroker(String host, int port) {
        this.host = host;
        this.port = port;
    }

    /**
     * @param maxMessageBytes largest MQTT packet accepted; larger ones make the broker drop the client
     */
    public static EmbeddedBroker start(String host, int port, Path dataDir, int maxMessageBytes) {
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the MQTT broker data folder " + dataDir + ": "
                    + e.getMessage(), e);
        }
        // Before Moquette tries: its failed bind logs a page of Netty stack trace ahead of any message.
        requirePort(host, port);
        var props = new Properties();
        props.setProperty(IConfig.HOST_PROPERTY_NAME, host);
        props.setProperty(IConfig.PORT_PROPERTY_NAME, Integer.toString(port));
        props.setProperty(IConfig.ALLOW_ANONYMOUS_PROPERTY_NAME, "true");
        // MQTT 3.1.1 lets a clean-session client leave its id to the broker (mosquitto_pub does by default).
        props.setProperty("allow_zero_byte_client_id", "true");
        props.setProperty(IConfig.PERSISTENCE_ENABLED_PROPERTY_NAME, "true");
        props.setProperty(IConfig.DATA_PATH_PROPERTY_NAME, dataDir.toAbsolutePath().toString());
        props.setProperty(IConfig.NETTY_MAX_BYTES_PROPERTY_NAME, Integer.toString(maxMessageBytes));
        props.setProperty(IConfig.ENABLE_TELEMETRY_NAME, "false");
        props.setProperty(IConfig.WEB_SOCKET_PORT_PROPERTY_NAME, "disabled");
        var broker = new EmbeddedBroker(host, port);
        try {
            broker.server.startServer(new MemoryConfig(props));
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot start the embedded MQTT broker on " + host + ":" + port + ": "
                    + e.getMessage() + " (" + HINT + ")", e);
        }
        LOG.info(() -> "embedded MQTT broker (Moquette) on tcp://" + host + ":" + broker.port());
        return broker;
    }

    /** Fails with one line if the broker could not listen on host:port (another broker there, say). */
    public static void requirePort(String host, int port) {
        ListenPort.requireFree(host, port, "the embedded MQTT broker", HINT);
    }

    public int port() {
        return port == 0 ? server.getPort() : port;
    }

    public String url() {
        return "tcp://" + host + ":" + port();
    }

    @Override
    public void close() {
        server.stopServer();
    }
}
