package ai.appliance.runtime.server;

import ai.appliance.runtime.audit.AuditFiles;
import ai.appliance.runtime.audit.AuditLog;
import ai.appliance.runtime.audit.PromptDigest;
import ai.appliance.runtime.config.ApplianceConfig;
import ai.appliance.runtime.metrics.ServingMetrics;
import ai.appliance.runtime.models.LoadablePaths;
import ai.appliance.runtime.net.ListenPort;
import ai.appliance.runtime.openai.OpenAiRequests;
import ai.appliance.runtime.openai.OpenAiResponses;
import ai.appliance.runtime.security.AccessControl;
import ai.appliance.runtime.security.ApiKeyStore;
import ai.appliance.runtime.security.TlsSetup;
import ai.appliance.runtime.serving.FrontDoor;
import ai.appliance.runtime.serving.InferenceService;
import ai.appliance.runtime.serving.ModelCatalog;
import ai.appliance.runtime.serving.ModelLoader;
import ai.appliance.runtime.serving.Readiness;
import ai.appliance.runtime.serving.RemoteModel;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.common.tls.Tls;
import io.helidon.common.tls.TlsClientAuth;
import io.helidon.webserver.ErrorHandling;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.websocket.WsConfig;
import io.helidon.webserver.websocket.WsRouting;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * The HTTP side of the appliance wired together: REST + SSE and WebSocket on one Helidon listener (TLS 1.3
 * when configured), the gRPC server on its own port, all sharing one {@link FrontDoor}. Built and started by
 * {@link #start}; {@link #close()} stops accepting, lets in-flight requests finish and frees every model.
 */
public final class ApplianceServer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ApplianceServer.class.getName());

    private final ApplianceConfig config;
    private final ModelCatalog catalog;
    private final FrontDoor door;
    private final AuditLog audit;
    private final WebServer web;
    private final GrpcFrontEnd grpc;
    private final List<? extends RemoteModel> remotes;
    private final List<AutoCloseable> extras = new ArrayList<>();

    private ApplianceServer(ApplianceConfig config, ModelCatalog catalog, FrontDoor door, AuditLog audit,
                            WebServer web, GrpcFrontEnd grpc, List<? extends RemoteModel> remotes) {
        this.config = config;
        this.catalog = catalog;
        this.door = door;
        this.audit = audit;
        this.web = web;
        this.grpc = grpc;
        this.remotes = remotes;
    }

    /**
     * Starts the web and gRPC servers in front of {@code catalog} and the model entries answered by upstreams.
     *
     * @param remotes model entries answered by upstream servers (routed by {@code config.routing()})
     * @throws IllegalArgumentException for unsafe or inconsistent settings (e.g. non-loopback without keys)
     */
    public static ApplianceServer start(ApplianceConfig config, AccessControl access, AuditLog audit,
                                        ModelCatalog catalog, ModelLoader loader, ServingMetrics metrics,
                                        Readiness readiness, List<? extends RemoteModel> remotes) {
        var json = new ObjectMapper();
        var door = new FrontDoor(new InferenceService(catalog, config.requestTimeout(), config.routing(), remotes),
                access, audit, metrics);
        var requests = new OpenAiRequests(json, config.defaultMaxTokens(), config.maxMaxTokens());
        var responses = new OpenAiResponses(json);
        var limits = config.http().limits();
        var readGuard = new RequestReadGuard(limits.headerTimeout(), limits.bodyTimeout(), responses);
        var http = new HttpApi(door, requests, responses, json, readiness, audit, loader,
                LoadablePaths.of(config.storeRoot(), config.modelFolders()),
                new RequestBodies(config.http().maxPayloadBytes(), readGuard));
        var ws = new WebSocketApi(door, requests, responses, json, config.http().websocketHeartbeat());

        var webSocket = WsConfig.create();
        var builder = WebServer.builder()
                .host(config.http().host())
                .port(config.http().port())
                .maxPayloadSize(config.http().maxPayloadBytes())
                .maxTcpConnections(limits.maxConnections())
                .idleConnectionTimeout(limits.idleTimeout())
                .idleConnectionPeriod(idleCheckPeriod(limits.idleTimeout()))
                // The HTTP/1 and WebSocket protocols come from one selector of our own, so that every connection's
                // header deadline starts when it is accepted (AcceptedConnections).
                // The WebSocket config stays a listener protocol too: the WebSocket connection looks it up there.
                .protocolsDiscoverServices(false)
                .addProtocol(webSocket)
                .addConnectionSelector(new AcceptedConnections(Http1Config.builder()
                        .addReceiveListener(readGuard.receiving())
                        .addSendListener(readGuard.sending())
                        .build(), List.of(webSocket), readGuard::accepted))
                .shutdownHook(false)
                .directHandlers(DirectErrors.all(responses, json, config.http().maxPayloadBytes()))
                .errorHandling(ErrorHandling.builder().includeEntity(true).build())
                .routing(http::register)
                .addRouting(WsRouting.builder().endpoint("/v1/ws", ws::newListener));
        if (config.http().tls() != null) {
            var tls = config.http().tls();
            builder.tls(Tls.builder()
                    .sslContext(TlsSetup.serverContext(tls))
                    .enabledProtocols(TlsSetup.PROTOCOLS)
                    .clientAuth(switch (TlsSetup.clientAuth(tls)) {
                        case NONE -> TlsClientAuth.NONE;
                        case OPTIONAL -> TlsClientAuth.OPTIONAL;
                        case REQUIRED -> TlsClientAuth.REQUIRED;
                    })
                    .build());
        }
        var web = builder.build().start();
        if (!web.isRunning()) {
            readGuard.close();
            // Helidon logs a listener that fails to start and returns a stopped server instead of throwing.
            throw new IllegalStateException("cannot start the HTTP server on " + config.http().host() + ":"
                    + config.http().port() + " (the log above says why)");
        }
        GrpcFrontEnd grpc = null;
        try {
            if (config.grpc().enabled()) {
                grpc = GrpcFrontEnd.start(config, door);
            }
        } catch (RuntimeException e) {
            web.stop();
            readGuard.close();
            throw e;
        }
        var server = new ApplianceServer(config, catalog, door, audit, web, grpc, List.copyOf(remotes));
        server.closeWith(readGuard);
        LOG.info(() -> "serving " + (config.http().tls() != null ? "https" : "http") + "://" + config.http().host()
                + ":" + web.port() + " (REST, SSE, WebSocket /v1/ws)"
                + (server.grpc != null ? ", gRPC on port " + server.grpc.port() : ""));
        return server;
    }

    /**
     * How often Helidon looks for connections idle past {@code server.idle-timeout}: often enough that one is
     * closed soon after its time (Helidon's default, every 2 minutes, would let it stay up to that much longer).
     */
    static Duration idleCheckPeriod(Duration idleTimeout) {
        return Duration.ofSeconds(Math.clamp(idleTimeout.toSeconds() / 2, 1, 5));
    }

    /** The audit log {@code config} asks for, or null when it is off. */
    static AuditLog auditLog(ApplianceConfig config) {
        if (!config.audit().enabled()) {
            return null;
        }
        return new AuditLog(config.audit().directory(), config.audit().retentionDays(), config.audit().includePrompts(),
                new AuditFiles(config.audit().fileGroup()), PromptDigest.loadOrCreate(config.audit().keyFile()),
                Clock.systemUTC());
    }

    /** Fails with one line if the HTTP or gRPC port is taken ({@link Appliance} checks before it loads models). */
    static void requireListenPorts(ApplianceConfig config) {
        ListenPort.requireFree(config.http().host(), config.http().port(), "the HTTP server", "set server.port, or --port");
        if (config.grpc().enabled()) {
            ListenPort.requireFree(config.grpc().host(), config.grpc().port(), "gRPC", "set grpc.port or grpc.enabled: false");
        }
    }

    /**
     * The access rules of {@code config}.
     *
     * @throws IllegalArgumentException when the server would listen on the network with security off
     */
    static AccessControl accessControl(ApplianceConfig config) {
        var sec = config.security();
        if (!sec.enabled() && !isLoopback(config.http().host())) {
            throw new IllegalArgumentException("server.host is " + config.http().host() + " (reachable from the network)"
                    + " but security is off: configure security.api-keys (./appliance apikey makes one) or bind to"
                    + " 127.0.0.1");
        }
        return new AccessControl(sec.enabled(), new ApiKeyStore(sec.apiKeys()), sec.certificateRoles(),
                sec.defaultCertificateRole(), sec.userRatePerSecond());
    }

    static boolean isLoopback(String host) {
        return ListenPort.isLoopback(host);
    }

    public int port() {
        return web.port();
    }

    public String baseUrl() {
        return (config.http().tls() != null ? "https" : "http") + "://" + config.http().host() + ":" + web.port();
    }

    /** The HTTP listener's settings as Helidon runs them (tests check the limits reach it). */
    io.helidon.webserver.WebServerConfig httpSettings() {
        return web.prototype();
    }

    /** The gRPC port, or -1 when gRPC is off. */
    public int grpcPort() {
        return grpc == null ? -1 : grpc.port();
    }

    public FrontDoor frontDoor() {
        return door;
    }

    public ModelCatalog catalog() {
        return catalog;
    }

    /** Closed (in reverse order) when the server closes, after in-flight requests ended: MQTT gateway, broker. */
    public void closeWith(AutoCloseable resource) {
        extras.add(resource);
    }

    /**
     * Graceful stop: in-flight requests get {@code shutdown.grace} to finish while new ones are refused (503),
     * then the servers stop and every model is freed.
     */
    @Override
    public void close() {
        LOG.info("shutting down: finishing in-flight requests (grace " + config.shutdownGrace().toSeconds() + " s)");
        long deadline = System.nanoTime() + config.shutdownGrace().toNanos();
        // Closing the catalog refuses new requests, forwarded ones included; those in flight share the grace.
        catalog.shutdown(config.shutdownGrace());
        for (var remote : remotes) {
            try {
                if (!remote.drain(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
                    LOG.warning("requests forwarded to upstream " + remote.name() + " were still running at the end"
                            + " of the grace period; they are cut off");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (grpc != null) {
            grpc.close();
        }
        web.stop();
        for (int i = extras.size() - 1; i >= 0; i--) {
            try {
                extras.get(i).close();
            } catch (Exception e) {
                LOG.warning("closing " + extras.get(i) + " failed: " + e.getMessage());
            }
        }
        if (audit != null) {
            audit.close();
        }
        LOG.info("stopped");
    }
}
