package ai.appliance.runtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.provisioning.pki.DeviceCredentials;
import ai.appliance.provisioning.pki.FleetCa;
import ai.appliance.provisioning.pki.TlsContexts;
import ai.appliance.provisioning.pki.TlsSettings;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;

/** TLS 1.3 with client certificates from the fleet CA (provisioning module), mapped to roles. */
class MutualTlsTest {

    @Test
    void clientCertificatesAreRequiredVerifiedAndMappedToRoles() throws Exception {
        var dir = Files.createTempDirectory("mtls");
        var ca = FleetCa.init(dir.resolve("ca"), "test-fleet", Clock.systemUTC());
        var server = new DeviceCredentials(dir.resolve("server"));
        server.enroll(ca, "gateway-1", "production", List.of("localhost"), List.of("127.0.0.1"));
        var client = new DeviceCredentials(dir.resolve("client"));
        client.enroll(ca, "sensor-9", "edge", List.of(), List.of());
        var rogueCa = FleetCa.init(dir.resolve("rogue-ca"), "rogue", Clock.systemUTC());
        var rogue = new DeviceCredentials(dir.resolve("rogue"));
        rogue.enroll(rogueCa, "sensor-9", "edge", List.of(), List.of());

        try (var harness = Harness.start(dir, Map.of(
                "server.tls.settings", server.settingsFile().toString(),
                "security.enabled", "true",
                "security.client-certificates.0.common-name", "sensor-9",
                "security.client-certificates.0.role", "user"))) {
            var url = URI.create("https://localhost:" + harness.appliance.server().port() + "/v1/models");
            var body = "{\"max_tokens\":2,\"messages\":[{\"role\":\"user\",\"content\":\"over mTLS\"}]}";

            var trusted = https(TlsContexts.create(TlsSettings.read(client.settingsFile())));
            assertEquals(200, trusted.send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.ofString())
                    .statusCode());
            var chat = trusted.send(HttpRequest.newBuilder(url.resolve("/v1/chat/completions"))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, chat.statusCode(), chat.body());
            // A user-role certificate may not read metrics.
            assertEquals(403, trusted.send(HttpRequest.newBuilder(url.resolve("/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());

            var noCertificate = https(trustOnly(client));
            assertThrows(IOException.class, () -> noCertificate.send(HttpRequest.newBuilder(url).build(),
                    HttpResponse.BodyHandlers.ofString()));
            var wrongCa = https(TlsContexts.create(TlsSettings.read(rogue.settingsFile())));
            assertThrows(IOException.class, () -> wrongCa.send(HttpRequest.newBuilder(url).build(),
                    HttpResponse.BodyHandlers.ofString()));

            // gRPC on its own port with the same TLS 1.3 + client certificate rules.
            int grpcPort = harness.appliance.server().grpcPort();
            var withCert = io.grpc.TlsChannelCredentials.newBuilder()
                    .keyManager(client.certificateFile().toFile(), client.keyFile().toFile())
                    .trustManager(client.trustBundleFile().toFile()).build();
            var channel = io.grpc.Grpc.newChannelBuilderForAddress("localhost", grpcPort, withCert).build();
            try {
                var reply = ai.appliance.runtime.grpc.v1.DeepSeekServiceGrpc.newBlockingStub(channel)
                        .withDeadlineAfter(30, java.util.concurrent.TimeUnit.SECONDS)
                        .generate(ai.appliance.runtime.grpc.v1.GenerateRequest.newBuilder().setMaxTokens(2)
                                .setPrompt("over gRPC mTLS").build());
                assertTrue(reply.getUsage().getPromptTokens() > 0 && reply.getUsage().getCompletionTokens() >= 1);
            } finally {
                channel.shutdownNow();
            }
            var noCert = io.grpc.TlsChannelCredentials.newBuilder().trustManager(client.trustBundleFile().toFile()).build();
            var refused = io.grpc.Grpc.newChannelBuilderForAddress("localhost", grpcPort, noCert).build();
            try {
                var error = assertThrows(io.grpc.StatusRuntimeException.class, () ->
                        ai.appliance.runtime.grpc.v1.DeepSeekServiceGrpc.newBlockingStub(refused)
                                .withDeadlineAfter(10, java.util.concurrent.TimeUnit.SECONDS)
                                .generate(ai.appliance.runtime.grpc.v1.GenerateRequest.newBuilder().setMaxTokens(2)
                                        .setPrompt("no certificate").build()));
                assertEquals(io.grpc.Status.Code.UNAVAILABLE, error.getStatus().getCode());
            } finally {
                refused.shutdownNow();
            }
        }
    }

    private static HttpClient https(SSLContext context) {
        return HttpClient.newBuilder().sslContext(context).connectTimeout(Duration.ofSeconds(5)).build();
    }

    private static SSLContext trustOnly(DeviceCredentials creds) throws Exception {
        var store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        var i = 0;
        for (var cert : ai.appliance.provisioning.pki.PkiFiles.readCertificates(creds.trustBundleFile())) {
            store.setCertificateEntry("ca" + i++, cert);
        }
        var tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        var context = SSLContext.getInstance("TLSv1.3");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }
}
