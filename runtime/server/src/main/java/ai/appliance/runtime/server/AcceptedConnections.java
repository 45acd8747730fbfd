package ai.appliance.runtime.server;

import io.helidon.common.buffers.BufferData;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.ProtocolConfigs;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http1.Http1ConnectionProvider;
import io.helidon.webserver.spi.ProtocolConfig;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.spi.ServerConnectionSelector;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The listener's one connection selector: Helidon's HTTP/1 selector (with the WebSocket upgrade), told about
 * every connection the moment it is accepted. Helidon reports nothing before a request line has arrived, so a
 * client that connects and sends nothing, or half a request line, could hold a connection until the idle timeout;
 * with this, {@link RequestReadGuard} starts the header deadline at accept.
 *
 * <p>It must be the only selector: with one, Helidon hands each accepted connection to it at once; with several,
 * Helidon first waits for bytes to choose between them, and that wait has no deadline.
 */
final class AcceptedConnections implements ServerConnectionSelector {

    private final ServerConnectionSelector http1;
    private final Consumer<ConnectionContext> accepted;

    /**
     * @param upgrades protocol configs the HTTP/1 connection may upgrade to (WebSocket)
     */
    AcceptedConnections(Http1Config http1, List<ProtocolConfig> upgrades, Consumer<ConnectionContext> accepted) {
        var configs = new java.util.ArrayList<ProtocolConfig>();
        configs.add(http1);
        configs.addAll(upgrades);
        this.http1 = new Http1ConnectionProvider().create(WebServer.DEFAULT_SOCKET_NAME, http1,
                ProtocolConfigs.create(configs));
        this.accepted = accepted;
    }

    @Override
    public int bytesToIdentifyConnection() {
        return http1.bytesToIdentifyConnection();
    }

    @Override
    public Support supports(BufferData request) {
        return http1.supports(request);
    }

    @Override
    public Set<String> supportedApplicationProtocols() {
        return http1.supportedApplicationProtocols();
    }

    @Override
    public ServerConnection connection(ConnectionContext ctx) {
        accepted.accept(ctx);
        return http1.connection(ctx);
    }
}
