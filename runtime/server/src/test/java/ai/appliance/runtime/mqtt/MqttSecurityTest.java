package ai.appliance.runtime.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.provisioning.pki.DeviceCredentials;
import ai.appliance.provisioning.pki.FleetCa;
import ai.appliance.provisioning.pki.PkiFiles;
import ai.appliance.runtime.security.ApiKeyStore;
import ai.appliance.runtime.server.Harness;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded broker's security with real device processes (Debian's mosquitto_pub and mosquitto_sub) against
 * the appliance started in-process on the real engine: MQTT 5 request/response, anonymous clients refused where
 * authentication is on, API keys as user name/password, fleet certificates over TLS (a revoked one refused),
 * per-device topic permissions and the reply-topic policy.
 */
class MqttSecurityTest {

    private static final String ID = "box-7";
    private static final String CHAT = "appliance/" + ID + "/v1/chat/completions";
    private static final String KEY = "test-key-line-7-0123456789abcdef";

    private static String request(String text, String extra) {
        return "{\"temperature\":0,\"max_tokens\":4" + extra
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}";
    }

    private static Map<String, String> embedded() {
        var m = new HashMap<String, String>();
        m.put("mqtt.enabled", "true");
        m.put("mqtt.appliance-id", ID);
        m.put("mqtt.embedded.port", Integer.toString(Harness.freePort()));
        return m;
    }

    private static void awaitConnected(Harness h) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!h.appliance.gateway().connected() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(h.appliance.gateway().connected(), "gateway connected");
        Thread.sleep(300); // the gateway subscribes right after connecting
    }

    private static List<String> plain(Harness h, String version, String... more) {
        var args = new ArrayList<>(List.of("-V", version, "-h", "127.0.0.1", "-p",
                Integer.toString(h.appliance.broker().port()), "-q", "1"));
        args.addAll(List.of(more));
        return args;
    }

    private static List<String> tls(Harness h, Path trust, DeviceCredentials device, String... more) {
        var args = new ArrayList<>(List.of("-V", "5", "-h", "127.0.0.1", "-p",
                Integer.toString(h.appliance.broker().tlsPort()), "-q", "1", "--cafile", trust.toString(),
                "--cert", device.certificateFile().toString(), "--key", device.keyFile().toString()));
        args.addAll(List.of(more));
        return args;
    }

    @Test
    void mqtt5AndMqtt311RequestResponseThroughTheEmbeddedBrokerOnLoopback() throws Exception {
        try (var harness = Harness.start(embedded())) {
            awaitConnected(harness);
            try (var device = new MosquittoClients.Subscriber(plain(harness, "5", "-t", "devices/m5/#"))) {
                assertTrue(device.awaitSubscribed().endsWith(": 1"), "QoS 1 subscription granted");
                var sent = MosquittoClients.publish(plain(harness, "5", "-t", CHAT,
                        "-D", "publish", "response-topic", "devices/m5/replies",
                        "-D", "publish", "correlation-data", "corr-m5", "-m", request("Hello MQTT 5", "")));
                assertEquals(0, sent.code(), sent.output());
                var reply = device.nextMessage();
                assertEquals("devices/m5/replies", reply.get("topic").asText());
                assertEquals("corr-m5", reply.at("/properties/correlation-data").asText(), reply.toString());
                assertEquals("final", reply.at("/payload/type").asText(), reply.toString());
                assertEquals("chat.completion", reply.at("/payload/response/object").asText());

                var old = MosquittoClients.publish(plain(harness, "mqttv311", "-t", CHAT, "-m",
                        request("Hello MQTT 3", ",\"reply_to\":\"devices/m5/old\",\"id\":\"r-311\"")));
                assertEquals(0, old.code(), old.output());
                var oldReply = device.nextMessage();
                assertEquals("devices/m5/old", oldReply.get("topic").asText());
                assertEquals("r-311", oldReply.at("/payload/request_id").asText(), oldReply.toString());
                assertEquals("final", oldReply.at("/payload/type").asText());
            }
        }
    }

    /** The gateway once published a chat reply on its own retained status topic because a request named it. */
    @Test
    void aReplyTopicOutsideTheDevicesSubtreeIsRefusedWithAnErrorAndTheStatusStaysIntact() throws Exception {
        try (var harness = Harness.start(embedded())) {
            awaitConnected(harness);
            try (var errors = new MosquittoClients.Subscriber(plain(harness, "5", "-t", "appliance/" + ID + "/v1/errors"))) {
                errors.awaitSubscribed();
                var sent = MosquittoClients.publish(plain(harness, "5", "-t", CHAT,
                        "-D", "publish", "response-topic", "appliance/" + ID + "/status",
                        "-D", "publish", "correlation-data", "hijack", "-m", request("Hi", "")));
                assertEquals(0, sent.code(), sent.output());
                var error = errors.nextMessage();
                assertEquals("error", error.at("/payload/type").asText(), error.toString());
                assertEquals(403, error.at("/payload/status").asInt());
                assertEquals("reply_to", error.at("/payload/error/param").asText());
                assertEquals("hijack", error.at("/properties/correlation-data").asText());
            }
            try (var status = new MosquittoClients.Subscriber(plain(harness, "5", "-t", "appliance/" + ID + "/status"))) {
                status.awaitSubscribed();
                var retained = status.nextMessage();
                assertEquals("online", retained.at("/payload/state").asText(), retained.toString());
            }
        }
    }

    /**
     * MQTT does not tell a subscriber who published; the embedded broker stamps the authenticated identity on each
     * message, and a stamp a client wrote itself must not pass for one.
     */
    @Test
    void anIdentityStampSetByTheClientIsRemovedByTheBroker() throws Exception {
        var settings = embedded();
        settings.put("security.api-keys.0.name", "line-7");
        settings.put("security.api-keys.0.hash", "sha256:" + ApiKeyStore.sha256Hex(KEY));
        try (var harness = Harness.start(settings)) {
            awaitConnected(harness);
            try (var device = new MosquittoClients.Subscriber(plain(harness, "5", "-t", "devices/line-7/#"))) {
                device.awaitSubscribed();
                var args = new ArrayList<String>(List.of("-t", CHAT,
                        "-D", "publish", "response-topic", "devices/line-7/replies"));
                var forged = Map.of(MqttDevice.ID_PROPERTY, "line-7", MqttDevice.PRINCIPAL_PROPERTY, "line-7",
                        MqttDevice.ROLE_PROPERTY, "admin", MqttDevice.RATE_PROPERTY, "0");
                forged.forEach((name, value) -> args.addAll(List.of("-D", "publish", "user-property", name, value)));
                args.addAll(List.of("-m", request("Who am I?", "")));
                var sent = MosquittoClients.publish(plain(harness, "5", args.toArray(String[]::new)));
                assertEquals(0, sent.code(), sent.output());
                var reply = device.nextMessage();
                assertEquals("error", reply.at("/payload/type").asText(), reply.toString());
                assertEquals(401, reply.at("/payload/status").asInt(), reply.toString());
            }
        }
    }

    @Test
    void withAuthenticationOnlyApiKeysAndUnrevokedFleetCertificatesGetInAndEachDeviceOnlyItsOwnTopics(
            @TempDir Path dir) throws Exception {
        var ca = FleetCa.init(dir.resolve("ca"), "test fleet", Clock.systemUTC());
        var appliance = new DeviceCredentials(dir.resolve("appliance"));
        appliance.enroll(ca, ID, "edge", List.of("localhost"), List.of("127.0.0.1"));
        var sensorA = new DeviceCredentials(dir.resolve("sensor-a"));
        sensorA.enroll(ca, "sensor-a", "edge", List.of(), List.of());
        var sensorB = new DeviceCredentials(dir.resolve("sensor-b"));
        var sensorBCert = sensorB.enroll(ca, "sensor-b", "edge", List.of(), List.of());
        var trust = FleetCa.trustBundleFile(dir.resolve("ca"));

        var settings = embedded();
        settings.put("mqtt.embedded.allow-anonymous", "false");
        settings.put("mqtt.embedded.tls.settings", appliance.settingsFile().toString());
        settings.put("mqtt.embedded.tls-port", Integer.toString(Harness.freePort()));
        settings.put("security.api-keys.0.name", "line-7");
        settings.put("security.api-keys.0.role", "user");
        settings.put("security.api-keys.0.hash", "sha256:" + ApiKeyStore.sha256Hex(KEY));
        settings.put("security.default-certificate-role", "user");
        try (var harness = Harness.start(dir, settings)) {
            awaitConnected(harness);

            // Nobody without credentials, on either listener.
            try (var anonymous = new MosquittoClients.Subscriber(plain(harness, "5", "-t", "#"))) {
                var exit = anonymous.awaitExit();
                assertNotEquals(0, exit.code(), exit.output());
                assertFalse(exit.output().contains("Subscribed"), exit.output());
                assertTrue(exit.output().toLowerCase().contains("not author"), exit.output());
            }
            var badKey = MosquittoClients.publish(plain(harness, "5", "-u", "line-7", "-P", "not-the-key",
                    "-t", CHAT, "-m", "{}"));
            assertNotEquals(0, badKey.code(), badKey.output());
            assertTrue(badKey.output().toLowerCase().contains("bad user name or password"), badKey.output());

            // An API key as user name (its name) and password: its own subtree, nothing else.
            var key = new String[] {"-u", "line-7", "-P", KEY};
            try (var everything = new MosquittoClients.Subscriber(plain(harness, "5", concat(key, "-t", "#")));
                 var other = new MosquittoClients.Subscriber(plain(harness, "5", concat(key, "-t", "devices/sensor-a/#")));
                 var requests = new MosquittoClients.Subscriber(plain(harness, "5", concat(key, "-t", CHAT)))) {
                assertTrue(everything.awaitSubscribed().endsWith(": 135"), "# is not authorized");
                assertTrue(other.awaitSubscribed().endsWith(": 135"), "another device's replies are not authorized");
                assertTrue(requests.awaitSubscribed().endsWith(": 135"), "other devices' requests are not authorized");
            }
            try (var status = new MosquittoClients.Subscriber(plain(harness, "5", concat(key, "-t", "appliance/" + ID + "/status")))) {
                assertTrue(status.awaitSubscribed().endsWith(": 1"), "a device may read the appliance's status");
                assertEquals("online", status.nextMessage().at("/payload/state").asText(), "the retained status reaches it");
            }
            try (var line7 = new MosquittoClients.Subscriber(plain(harness, "5", concat(key, "-t", "devices/line-7/#")))) {
                assertTrue(line7.awaitSubscribed().endsWith(": 1"));
                var sent = MosquittoClients.publish(plain(harness, "5", concat(key, "-t", CHAT,
                        "-D", "publish", "response-topic", "devices/line-7/replies",
                        "-D", "publish", "correlation-data", "k-1", "-m", request("Key over MQTT 5", ""))));
                assertEquals(0, sent.code(), sent.output());
                var reply = line7.nextMessage();
                assertEquals("final", reply.at("/payload/type").asText(), reply.toString());
                assertEquals("k-1", reply.at("/properties/correlation-data").asText());

                // MQTT 3.1.1 devices carry no user properties; the broker's identity stamp still reaches the gateway.
                var old = MosquittoClients.publish(plain(harness, "mqttv311", concat(key, "-t", CHAT, "-m",
                        request("Key over MQTT 3", ",\"reply_to\":\"devices/line-7/old\",\"id\":\"k-311\""))));
                assertEquals(0, old.code(), old.output());
                var oldReply = line7.nextMessage();
                assertEquals("devices/line-7/old", oldReply.get("topic").asText());
                assertEquals("final", oldReply.at("/payload/type").asText(), oldReply.toString());

                // Another device's reply topic: refused, the error on this device's own error topic.
                var wrong = MosquittoClients.publish(plain(harness, "5", concat(key, "-t", CHAT,
                        "-D", "publish", "response-topic", "devices/sensor-a/replies",
                        "-D", "publish", "correlation-data", "k-2", "-m", request("Steal", ""))));
                assertEquals(0, wrong.code(), wrong.output());
                var error = line7.nextMessage();
                assertEquals("devices/line-7/errors", error.get("topic").asText(), error.toString());
                assertEquals(403, error.at("/payload/status").asInt(), error.toString());
                assertEquals("k-2", error.at("/properties/correlation-data").asText());
            }

            // An enrolled device's certificate over TLS: its id is the certificate's CN.
            try (var sensor = new MosquittoClients.Subscriber(tls(harness, trust, sensorA, "-t", "devices/sensor-a/replies"))) {
                assertTrue(sensor.awaitSubscribed().endsWith(": 1"));
                var sent = MosquittoClients.publish(tls(harness, trust, sensorA, "-t", CHAT,
                        "-D", "publish", "response-topic", "devices/sensor-a/replies",
                        "-D", "publish", "correlation-data", "c-1", "-m", request("Certificate", "")));
                assertEquals(0, sent.code(), sent.output());
                var reply = sensor.nextMessage();
                assertEquals("final", reply.at("/payload/type").asText(), reply.toString());
                assertEquals("c-1", reply.at("/properties/correlation-data").asText());
            }

            // Revoked at the CA; the new CRL copied beside the appliance's tls.yaml: refused from the next CONNECT on.
            var before = MosquittoClients.publish(tls(harness, trust, sensorB, "-t", CHAT, "-m", "{}"));
            assertEquals(0, before.code(), "sensor-b is accepted before it is revoked: " + before.output());
            var crl = ca.revoke(sensorBCert.getSerialNumber());
            PkiFiles.writeCrl(appliance.crlFile(), crl);
            var after = MosquittoClients.publish(tls(harness, trust, sensorB, "-t", CHAT, "-m", "{}"));
            assertNotEquals(0, after.code(), after.output());
            assertTrue(after.output().toLowerCase().contains("bad user name or password"), after.output());
        }
    }

    private static String[] concat(String[] first, String... more) {
        var all = new String[first.length + more.length];
        System.arraycopy(first, 0, all, 0, first.length);
        System.arraycopy(more, 0, all, first.length, more.length);
        return all;
    }
}
