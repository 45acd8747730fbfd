package ai.appliance.runtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.provisioning.pki.DeviceCredentials;
import ai.appliance.provisioning.pki.FleetCa;
import java.nio.file.Files;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An upstream appliance that demands client certificates (TLS 1.3, fleet CA): the edge reaches it with its own
 * device certificate, and is refused, with an error that says to check the TLS settings, without one or when it
 * trusts another CA.
 */
class UpstreamTlsTest {

    @Test
    void forwardsOverMutualTlsAndReportsTlsFailuresAsTheUpstreamsOwn() throws Exception {
        var dir = Files.createTempDirectory("upstream-tls");
        var ca = FleetCa.init(dir.resolve("ca"), "test-fleet", Clock.systemUTC());
        var datacenter = new DeviceCredentials(dir.resolve("dc"));
        datacenter.enroll(ca, "dc-1", "production", List.of("localhost"), List.of("127.0.0.1"));
        var edgeBox = new DeviceCredentials(dir.resolve("edge"));
        edgeBox.enroll(ca, "edge-7", "edge", List.of(), List.of());
        var rogueCa = FleetCa.init(dir.resolve("rogue-ca"), "rogue", Clock.systemUTC());

        try (var upstream = Harness.start(Files.createTempDirectory("dc"), Map.of(
                "server.tls.settings", datacenter.settingsFile().toString(),
                "security.enabled", "true",
                "security.client-certificates.0.common-name", "edge-7",
                "security.client-certificates.0.role", "user"))) {
            var url = "https://localhost:" + upstream.appliance.server().port() + "/v1";
            var settings = new HashMap<String, String>();
            entry(settings, 1, "mtls", url, "models.1.upstream.tls.settings", edgeBox.settingsFile().toString());
            entry(settings, 2, "no-certificate", url, "models.2.upstream.tls.trust",
                    edgeBox.trustBundleFile().toString());
            entry(settings, 3, "wrong-ca", url, "models.3.upstream.tls.trust",
                    FleetCa.trustBundleFile(rogueCa.directory()).toString());
            try (var edge = Harness.start(settings)) {
                var body = "{\"max_tokens\":3,\"messages\":[{\"role\":\"user\",\"content\":\"over mTLS\"}],\"model\":\"";
                var ok = edge.post("/v1/chat/completions", body + "mtls\"}", "x-request-id", "mtls-1");
                assertEquals(200, ok.statusCode(), ok.body());
                assertEquals("mtls", Harness.json(ok.body()).get("model").asText());

                for (var refused : List.of("no-certificate", "wrong-ca")) {
                    var res = edge.post("/v1/chat/completions", body + refused + "\"}");
                    assertEquals(502, res.statusCode(), refused + ": " + res.body());
                    var error = Harness.json(res.body()).get("error");
                    assertEquals("upstream_error", error.get("code").asText());
                    assertTrue(error.get("message").asText().contains("upstream '" + refused + "'"), error.toString());
                }
            }
        }
    }

    private static void entry(Map<String, String> settings, int i, String name, String url, String tlsKey,
                              String tlsValue) {
        settings.put("models." + i + ".name", name);
        settings.put("models." + i + ".upstream.url", url);
        settings.put("models." + i + ".upstream.model", Harness.MODEL);
        settings.put(tlsKey, tlsValue);
    }
}
