package ai.appliance.runtime.mqtt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.runtime.server.Harness;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The MQTT gateway against a real Mosquitto (MQTT 5 and 3.1.1 devices) and against the embedded broker (HiveMQ
 * CE), all on the real engine.
 */
class MqttGatewayTest {

    private static final String ID = "box-7";
    private static final String CHAT = "appliance/" + ID + "/v1/chat/completions";

    private static String request(String text, boolean stream, String extra) {
        return "{\"temperature\":0,\"max_tokens\":6,\"stream\":" + stream + extra
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}";
    }

    private static Map<String, String> mqtt(String brokerUrl) {
        var m = new HashMap<String, String>();
        m.put("mqtt.enabled", "true");
        m.put("mqtt.appliance-id", ID);
        if (brokerUrl != null) {
            m.put("mqtt.broker-url", brokerUrl);
        }
        m.put("mqtt.max-payload-bytes", "4096");
        return m;
    }

    private static void awaitConnected(Harness h) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!h.appliance.gateway().connected() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(h.appliance.gateway().connected(), "gateway connected");
        Thread.sleep(300); // subscriptions are made right after the connection
    }

    @Test
    void mqtt5RequestReplyStreamingAndRestartAgainstMosquitto() throws Exception {
        var dir = Files.createTempDirectory("mqtt5");
        try (var broker = Mosquitto.start(dir, Harness.freePort())) {
            var harness = Harness.start(dir, mqtt(broker.url()));
            try (var device = new Devices.V5(broker.url(), "dev-5").listen("devices/5/replies");
                 var status = new Devices.V3(broker.url(), "watcher").listen("appliance/" + ID + "/status")) {
                awaitConnected(harness);
                var online = Devices.next(status.replies, 10);
                assertEquals("online", online.body().get("state").asText());
                assertEquals(Harness.MODEL, online.body().get("model").asText());
                assertTrue(online.retained());

                var correlation = "corr-1".getBytes(StandardCharsets.UTF_8);
                device.send(CHAT, request("Hello MQTT 5", false, ""), "devices/5/replies", correlation);
                var reply = Devices.next(device.replies, 30);
                assertEquals("final", reply.body().get("type").asText(), reply.body().toString());
                assertArrayEquals(correlation, reply.correlation());
                assertEquals("chat.completion", reply.body().at("/response/object").asText());
                var answer = reply.body().at("/response/choices/0/message");

                device.send(CHAT, request("Hello MQTT 5", true, ""), "devices/5/replies", "corr-2".getBytes(StandardCharsets.UTF_8));
                var replies = Devices.untilFinal(device.replies, 30);
                var text = new StringBuilder();
                for (int i = 0; i < replies.size() - 1; i++) {
                    assertEquals("chunk", replies.get(i).body().get("type").asText());
                    assertEquals(i, replies.get(i).body().get("seq").asInt());
                    assertArrayEquals("corr-2".getBytes(StandardCharsets.UTF_8), replies.get(i).correlation());
                    text.append(replies.get(i).body().at("/delta/reasoning_content").asText(""))
                            .append(replies.get(i).body().at("/delta/content").asText(""));
                }
                assertEquals(answer.path("reasoning_content").asText("") + answer.get("content").asText(), text.toString());

                // An MQTT 3.1.1 device on the same gateway uses reply_to and id in the JSON.
                try (var old = new Devices.V3(broker.url(), "dev-3").listen("devices/3/replies")) {
                    old.send(CHAT, request("Hello MQTT 3", false, ",\"reply_to\":\"devices/3/replies\",\"id\":\"r-3\""));
                    var r3 = Devices.next(old.replies, 30);
                    assertEquals("final", r3.body().get("type").asText());
                    assertEquals("r-3", r3.body().get("request_id").asText());
                }

                // Down: requests published now wait in the gateway's persistent session ...
                harness.close();
                var offline = Devices.next(status.replies, 10);
                assertEquals("offline", offline.body().get("state").asText());
                device.send(CHAT, request("Are you back?", false, ""), "devices/5/replies", "while-down".getBytes(StandardCharsets.UTF_8));
                Thread.sleep(300);
                assertTrue(device.replies.isEmpty(), "nobody answers while the appliance is down");
                // ... and are answered when it is back.
                harness = Harness.start(dir, mqtt(broker.url()));
                var late = Devices.next(device.replies, 30);
                assertArrayEquals("while-down".getBytes(StandardCharsets.UTF_8), late.correlation());
                assertEquals("final", late.body().get("type").asText());
            } finally {
                harness.close();
            }
        }
    }

    /**
     * The embedded broker keeps sessions and subscriptions on disk and must start again on what it wrote: with the
     * broker before (Moquette, Java-serialized sessions), Helidon's JVM-wide deserialization filter made every second
     * start of an appliance fail ("Unable to read the page ... filter status: REJECTED").
     */
    @Test
    void embeddedBrokerRestartsOnTheSessionStoreItWrote() throws Exception {
        var dir = Files.createTempDirectory("embedded-restart");
        var settings = mqtt(null);
        settings.put("mqtt.embedded.port", Integer.toString(Harness.freePort()));
        for (int start = 1; start <= 2; start++) {
            try (var harness = Harness.start(dir, settings)) {
                awaitConnected(harness);
                var url = harness.appliance.broker().url();
                try (var device = new Devices.V3(url, "dev-r").listen("devices/r/replies")) {
                    var reply = device.sendUntilAnswered(CHAT,
                            request("start " + start, false, ",\"reply_to\":\"devices/r/replies\",\"id\":\"r" + start + "\""),
                            device.replies);
                    assertEquals("final", reply.body().get("type").asText(), "start " + start + ": " + reply.body());
                }
            }
        }
    }

    /** mosquitto_pub and many small devices send an empty client id with a clean session (MQTT 3.1.1 §3.1.3.1). */
    @Test
    void embeddedBrokerAcceptsDevicesThatLeaveTheClientIdToIt() throws Exception {
        var settings = mqtt(null);
        settings.put("mqtt.embedded.port", Integer.toString(Harness.freePort()));
        try (var harness = Harness.start(settings)) {
            awaitConnected(harness);
            try (var device = new Devices.V3(harness.appliance.broker().url(), "").listen("devices/anon/replies")) {
                var reply = device.sendUntilAnswered(CHAT,
                        request("no client id", false, ",\"reply_to\":\"devices/anon/replies\",\"id\":\"anon\""), device.replies);
                assertEquals("final", reply.body().get("type").asText(), reply.body().toString());
            }
        }
    }

    /**
     * The devices here resend like real QoS 1 devices do when no reply comes, which also exercises "answered again
     * from memory".
     */
    @Test
    void embeddedBrokerServesMqtt311DevicesDedupesAndAnswersBadPayloads() throws Exception {
        var settings = mqtt(null);
        settings.put("mqtt.embedded.port", Integer.toString(Harness.freePort()));
        try (var harness = Harness.start(settings)) {
            var url = harness.appliance.broker().url();
            awaitConnected(harness);
            try (var device = new Devices.V3(url, "dev-a").listen("devices/a/replies").listen("devices/a/stream");
                 var status = new Devices.V3(url, "watcher").listen("appliance/" + ID + "/status")) {
                var online = Devices.next(status.replies, 10);
                assertEquals("online", online.body().get("state").asText());
                assertEquals("5", online.body().get("protocol").asText());

                var request = request("Hi embedded", false, ",\"reply_to\":\"devices/a/replies\",\"id\":\"one\"");
                var first = device.sendUntilAnswered(CHAT, request, device.replies);
                assertEquals("final", first.body().get("type").asText(), first.body().toString());
                assertEquals("one", first.body().get("request_id").asText());
                // The same request again (a redelivery): answered from memory, identical, not run again.
                var again = device.sendUntilAnswered(CHAT, request, device.replies);
                assertEquals(first.body(), again.body());
                var metrics = harness.get("/metrics").body();
                assertTrue(metrics.contains("appliance_requests_total{frontend=\"mqtt\",status=\"200\"} 1.0"),
                        "exactly one execution: " + metrics.lines().filter(l -> l.contains("frontend=\"mqtt\"")).toList());

                var streamed = device.sendUntilAnswered(CHAT,
                        request("Stream me", true, ",\"reply_to\":\"devices/a/stream\",\"id\":\"two\""), device.replies);
                assertEquals("devices/a/stream", streamed.topic());
                assertEquals("final", streamed.body().get("type").asText());
                assertTrue(streamed.body().get("seq").asInt() >= 1, "chunks came before the final message");

                var bad = device.sendUntilAnswered(CHAT,
                        "{\"reply_to\":\"devices/a/replies\",\"id\":\"bad\",\"messages\":\"nope\"}", device.replies);
                assertEquals("error", bad.body().get("type").asText());
                assertEquals(400, bad.body().get("status").asInt());
                assertEquals("bad", bad.body().get("request_id").asText());

                try (var errors = new Devices.V3(url, "ops").listen("appliance/" + ID + "/v1/errors")) {
                    var malformed = device.sendUntilAnswered(CHAT, "this is not json", errors.replies);
                    assertEquals(400, malformed.body().get("status").asInt());
                    // The gateway hears its own error reports (it subscribes to v1/#): it must not answer them.
                    Thread.sleep(1500);
                    assertEquals(0, errors.replies.size(), "one error report per bad request, no echo loop");
                    var oversized = device.sendUntilAnswered(CHAT,
                            "{\"reply_to\":\"devices/a/replies\",\"pad\":\"" + "x".repeat(5000) + "\"}", errors.replies,
                            r -> r.body().path("status").asInt() != 400);
                    assertEquals(413, oversized.body().get("status").asInt());
                }
            }
        }
    }
}
