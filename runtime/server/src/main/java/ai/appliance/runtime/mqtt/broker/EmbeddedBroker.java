package ai.appliance.runtime.mqtt.broker;

import ai.appliance.runtime.mqtt.BrokerConnection;
import ai.appliance.runtime.net.ListenPort;
import ai.appliance.runtime.security.TlsSetup;
import com.hivemq.embedded.EmbeddedExtension;
import com.hivemq.embedded.EmbeddedHiveMQ;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The MQTT broker the appliance runs itself when no external broker is configured: HiveMQ Community Edition,
 * embedded (MQTT 5 and 3.1.1), with persistent sessions on disk so requests queued for the appliance survive a
 * restart of the appliance. Its security is the appliance's ({@link BrokerExtension}): anonymous clients only on a
 * loopback listener, else a fleet client certificate (TLS listener, CRL checked) or an API key, per-device topic
 * permissions, and the publisher's identity stamped on every message for the gateway.
 *
 * <p>The gateway logs in with a random password made at each start, over the plain listener on this machine.
 */
public final class EmbeddedBroker implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(EmbeddedBroker.class.getName());
    /**
     * HiveMQ and the libraries under it log every listener, cipher suite and persistence step at INFO; the
     * appliance's log keeps their warnings and errors. Held here: java.util.logging keeps loggers weakly, and a
     * collected logger would lose its level.
     */
    private static final Logger[] QUIETED = {Logger.getLogger("com.hivemq"), Logger.getLogger("migrations"),
            Logger.getLogger("event"), Logger.getLogger("jetbrains.exodus"), Logger.getLogger("io.netty")};

    private static final String HINT = "set mqtt.embedded.port, or mqtt.broker-url for an external broker";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private final EmbeddedHiveMQ hivemq;
    private final BrokerSettings settings;
    private final int port;
    private final int tlsPort;
    private final String gatewayPassword;

    private EmbeddedBroker(EmbeddedHiveMQ hivemq, BrokerSettings settings, int port, int tlsPort, String gatewayPassword) {
        this.hivemq = hivemq;
        this.settings = settings;
        this.port = port;
        this.tlsPort = tlsPort;
        this.gatewayPassword = gatewayPassword;
    }

    public static EmbeddedBroker start(BrokerSettings settings) {
        for (var logger : QUIETED) {
            logger.setLevel(Level.WARNING);
        }
        // Before HiveMQ tries: its failed bind logs a page of stack trace ahead of any message.
        requirePorts(settings);
        int port = settings.port() == 0 ? ListenPort.pickFree(settings.host()) : settings.port();
        var tls = settings.tls() == null ? null : TlsSetup.settings(settings.tls());
        int tlsPort = tls == null ? -1 : settings.tlsPort() == 0 ? ListenPort.pickFree(settings.host()) : settings.tlsPort();
        var folders = HiveMqFolders.write(settings.dataDir(), settings.host(), port, tls, tlsPort,
                settings.maxPacketBytes());
        var gatewayPassword = HiveMqFolders.password(32);
        var policy = new ConnectPolicy(settings.access(), tls == null ? null : new ClientCertificateCheck(tls),
                settings.allowAnonymous(), gatewayPassword, tlsPort);
        var authenticator = new BrokerAuthenticator(policy, new DevicePermissions(settings.topicPrefix(),
                settings.replyTopics()));
        var extension = EmbeddedExtension.builder().withId("appliance-security").withName("Appliance security")
                .withVersion("1").withPriority(1000).withStartPriority(1000)
                .withExtensionMain(new BrokerExtension(authenticator)).build();
        // HiveMQ installs its own JVM-wide uncaught-exception handler (one that exits the JVM); the appliance's stays.
        var handler = Thread.getDefaultUncaughtExceptionHandler();
        var hivemq = EmbeddedHiveMQ.builder()
                .withConfigurationFolder(folders.config)
                .withDataFolder(folders.data)
                .withExtensionsFolder(folders.extensions)
                .withEmbeddedExtension(extension)
                .withoutLoggingBootstrap()
                .build();
        long started = System.nanoTime();
        try {
            hivemq.start().get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            closeQuietly(hivemq);
            var cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException("cannot start the embedded MQTT broker on " + settings.host() + ":" + port
                    + ": " + (cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName())
                    + " (" + HINT + ")", cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly(hivemq);
            throw new IllegalStateException("interrupted while starting the embedded MQTT broker", e);
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(handler);
        }
        var broker = new EmbeddedBroker(hivemq, settings, port, tlsPort, gatewayPassword);
        long startMs = (System.nanoTime() - started) / 1_000_000;
        LOG.info(() -> "embedded MQTT broker (HiveMQ CE, MQTT 5 and 3.1.1) on " + broker.url()
                + (tlsPort > 0 ? " and ssl://" + settings.host() + ":" + tlsPort : "") + ", started in " + startMs + " ms");
        if (settings.allowAnonymous()) {
            LOG.info(() -> "embedded MQTT broker: anonymous clients are allowed on loopback " + settings.host()
                    + " with no topic restrictions; on a network address devices must authenticate"
                    + " (docs/api.md, \"MQTT security\")");
        }
        return broker;
    }

    /** Fails with one line if the broker could not listen (another broker on 1883, say). */
    public static void requirePorts(BrokerSettings settings) {
        ListenPort.requireFree(settings.host(), settings.port(), "the embedded MQTT broker", HINT);
        if (settings.tls() != null) {
            ListenPort.requireFree(settings.host(), settings.tlsPort(), "the embedded MQTT broker's TLS listener",
                    "set mqtt.embedded.tls-port");
        }
    }

    public int port() {
        return port;
    }

    /** The TLS listener's port, or -1 without one. */
    public int tlsPort() {
        return tlsPort;
    }

    /** The plain listener, as devices on this machine reach it. */
    public String url() {
        return "tcp://" + connectHost() + ":" + port;
    }

    /** How the appliance's own gateway logs in: every topic, identity stamps believed. */
    public BrokerConnection gatewayConnection() {
        return new BrokerConnection(url(), false, ConnectPolicy.GATEWAY_USER, gatewayPassword, null, true);
    }

    private String connectHost() {
        var host = settings.host();
        if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
            return "127.0.0.1";
        }
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    @Override
    public void close() {
        long stopping = System.nanoTime();
        try {
            hivemq.stop().get(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            LOG.info(() -> "embedded MQTT broker stopped in " + (System.nanoTime() - stopping) / 1_000_000 + " ms");
        } catch (ExecutionException | TimeoutException e) {
            LOG.warning("the embedded MQTT broker did not stop cleanly: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeQuietly(hivemq);
        }
    }

    private static void closeQuietly(EmbeddedHiveMQ hivemq) {
        try {
            hivemq.close();
        } catch (ExecutionException e) {
            LOG.warning("the embedded MQTT broker did not close cleanly: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
