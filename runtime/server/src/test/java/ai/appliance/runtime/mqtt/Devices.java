package ai.appliance.runtime.mqtt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/** Test devices: an MQTT 3.1.1 and an MQTT 5 client that send requests and collect replies. */
final class Devices {

    static final ObjectMapper JSON = new ObjectMapper();

    record Reply(String topic, JsonNode body, byte[] correlation, boolean retained) { }

    /** MQTT 3.1.1 device (Paho mqttv3). */
    static final class V3 implements AutoCloseable {
        final MqttClient client;
        final BlockingQueue<Reply> replies = new LinkedBlockingQueue<>();

        V3(String url, String id) throws Exception {
            client = new MqttClient(url, id, new MemoryPersistence());
            var options = new MqttConnectOptions();
            options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
            options.setCleanSession(true);
            client.connect(options);
        }

        V3 listen(String filter) throws Exception {
            client.subscribe(filter, 1, (topic, message) -> replies.add(new Reply(topic,
                    JSON.readTree(message.getPayload()), null, message.isRetained())));
            return this;
        }

        void send(String topic, String payload) throws Exception {
            client.publish(topic, payload.getBytes(StandardCharsets.UTF_8), 1, false);
        }

        /**
         * Sends and, like a real QoS 1 device that hears nothing, resends the same request every 3 s (up to
         * 10 times) until a reply of type final or error arrives in {@code queue}.
         */
        Reply sendUntilAnswered(String topic, String payload, BlockingQueue<Reply> queue) throws Exception {
            return sendUntilAnswered(topic, payload, queue, r -> true);
        }

        /** As above, waiting for a reply that also matches {@code wanted}. */
        Reply sendUntilAnswered(String topic, String payload, BlockingQueue<Reply> queue,
                                java.util.function.Predicate<Reply> wanted) throws Exception {
            Thread.sleep(200);
            queue.clear(); // late duplicates of an earlier exchange
            for (int attempt = 0; attempt < 10; attempt++) {
                send(topic, payload);
                var deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
                while (System.nanoTime() < deadline) {
                    var r = queue.poll(100, TimeUnit.MILLISECONDS);
                    if (r != null && (r.body().path("type").asText().equals("final")
                            || r.body().path("type").asText().equals("error")) && wanted.test(r)) {
                        return r;
                    }
                }
            }
            throw new AssertionError("no final reply after 10 sends of " + payload);
        }

        @Override
        public void close() throws Exception {
            client.disconnect();
            client.close();
        }
    }

    /** MQTT 5 device (Paho mqttv5) using response topic and correlation data. */
    static final class V5 implements AutoCloseable {
        final org.eclipse.paho.mqttv5.client.MqttClient client;
        final BlockingQueue<Reply> replies = new LinkedBlockingQueue<>();

        V5(String url, String id) throws Exception {
            client = new org.eclipse.paho.mqttv5.client.MqttClient(url, id,
                    new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
            var options = new MqttConnectionOptions();
            options.setCleanStart(true);
            client.connect(options);
        }

        V5 listen(String filter) throws Exception {
            client.subscribe(new org.eclipse.paho.mqttv5.common.MqttSubscription[] {
                    new org.eclipse.paho.mqttv5.common.MqttSubscription(filter, 1)},
                    new org.eclipse.paho.mqttv5.client.IMqttMessageListener[] {(topic, message) -> replies.add(
                            new Reply(topic, JSON.readTree(message.getPayload()),
                                    message.getProperties() == null ? null : message.getProperties().getCorrelationData(),
                                    message.isRetained()))});
            return this;
        }

        void send(String topic, String payload, String responseTopic, byte[] correlation) throws Exception {
            var message = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
            message.setQos(1);
            var props = new MqttProperties();
            props.setResponseTopic(responseTopic);
            props.setCorrelationData(correlation);
            message.setProperties(props);
            client.publish(topic, message);
        }

        @Override
        public void close() throws Exception {
            client.disconnect();
            client.close();
        }
    }

    static Reply next(BlockingQueue<Reply> queue, int seconds) throws InterruptedException {
        var reply = queue.poll(seconds, TimeUnit.SECONDS);
        if (reply == null) {
            throw new AssertionError("no MQTT reply within " + seconds + " s");
        }
        return reply;
    }

    /** Reads replies until the final (or error) one, returning all of them. */
    static java.util.List<Reply> untilFinal(BlockingQueue<Reply> queue, int seconds) throws InterruptedException {
        var out = new java.util.ArrayList<Reply>();
        while (true) {
            var r = next(queue, seconds);
            out.add(r);
            var type = r.body().path("type").asText();
            if (type.equals("final") || type.equals("error")) {
                return out;
            }
        }
    }

    private Devices() {
    }
}
