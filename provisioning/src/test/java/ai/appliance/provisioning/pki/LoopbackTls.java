package ai.appliance.provisioning.pki;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.net.InetAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** One TLS handshake over loopback between two JDK contexts; reports what each side saw. */
final class LoopbackTls {

    record Outcome(boolean clientOk, Exception clientError, boolean serverOk, Exception serverError) {
        boolean succeeded() {
            return clientOk && serverOk;
        }
    }

    static Outcome handshake(SSLContext server, SSLParameters serverParams, SSLContext client,
                             SSLParameters clientParams) throws Exception {
        try (var listener = (SSLServerSocket) server.getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            listener.setSSLParameters(serverParams);
            listener.setSoTimeout(10_000);
            var serverSide = new CompletableFuture<Exception>();
            Thread.ofVirtual().start(() -> {
                try (var s = (SSLSocket) listener.accept()) {
                    s.setSoTimeout(10_000);
                    s.startHandshake();
                    s.getOutputStream().write(42); // TLS 1.3 reports a refused client certificate on first I/O
                    s.getOutputStream().flush();
                    if (s.getInputStream().read() != 7) throw new IOException("server: no reply");
                    serverSide.complete(null);
                } catch (Exception e) {
                    serverSide.complete(e);
                }
            });
            Exception clientError = null;
            try (var s = (SSLSocket) client.getSocketFactory()
                    .createSocket(InetAddress.getLoopbackAddress(), listener.getLocalPort())) {
                s.setSoTimeout(10_000);
                s.setSSLParameters(clientParams);
                s.startHandshake();
                if (s.getInputStream().read() != 42) throw new IOException("client: no data");
                s.getOutputStream().write(7);
                s.getOutputStream().flush();
            } catch (Exception e) {
                clientError = e;
            }
            var serverError = serverSide.get(20, TimeUnit.SECONDS);
            return new Outcome(clientError == null, clientError, serverError == null, serverError);
        }
    }
}
