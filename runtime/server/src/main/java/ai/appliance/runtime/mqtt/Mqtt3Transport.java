package ai.appliance.runtime.mqtt;

import java.util.logging.Logger;
import javax.net.SocketFactory;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallbackExtended;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * MQTT 3.1.1 over Paho, for external brokers without MQTT 5 ({@code mqtt.protocol: "3.1.1"}): a persistent
 * session (clean session off); replies go to the {@code reply_to} topic named in the request JSON.
 */
final class Mqtt3Transport implements MqttTransport {

    private static final Logger LOG = Logger.getLogger(Mqtt3Transport.class.getName());

    private final MqttAsyncClient client;
    private final String username;
    private final String password;
    private final SocketFactory sockets;
    private volatile ReconnectLoop connecting;

    Mqtt3Transport(String url, String clientId, String username, String password, SocketFactory sockets)
            throws MqttException {
        this.client = new MqttAsyncClient(url, clientId, new MemoryPersistence());
        this.username = username;
        this.password = password;
        this.sockets = sockets;
    }

    @Override
    public String protocol() {
        return "3.1.1";
    }

    @Override
    public boolean connect(Listener listener, String willTopic, byte[] willPayload) {
        var options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setCleanSession(false);
        options.setAutomaticReconnect(true);
        options.setKeepAliveInterval(30);
        options.setConnectionTimeout((int) ReconnectLoop.ATTEMPT_TIMEOUT.toSeconds());
        options.setMaxInflight(64);
        if (username != null) {
            options.setUserName(username);
        }
        if (password != null) {
            options.setPassword(password.toCharArray());
        }
        if (sockets != null) {
            options.setSocketFactory(sockets);
        }
        options.setWill(willTopic, willPayload, 1, true);
        client.setManualAcks(true);
        client.setCallback(new MqttCallbackExtended() {
            @Override
            public void connectComplete(boolean reconnect, String serverURI) {
                listener.connected();
            }

            @Override
            public void connectionLost(Throwable cause) {
                listener.disconnected(String.valueOf(cause.getMessage()));
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                listener.arrived(new Incoming(topic, message.getPayload(), null, null, java.util.Map.of(), message.getId(),
                        message.getQos()));
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
        var loop = new ReconnectLoop(timeout -> client.connect(options).waitForCompletion(timeout),
                client::isConnected);
        connecting = loop;
        return loop.start();
    }

    @Override
    public boolean isConnected() {
        return client.isConnected();
    }

    @Override
    public void subscribe(String... topics) throws MqttException {
        var qos = new int[topics.length];
        java.util.Arrays.fill(qos, 1);
        client.subscribe(topics, qos).waitForCompletion(10_000);
    }

    @Override
    public void publish(String topic, byte[] payload, byte[] correlation, boolean retained) throws MqttException {
        var message = new MqttMessage(payload);
        message.setQos(1);
        message.setRetained(retained);
        client.publish(topic, message).waitForCompletion(30_000);
    }

    @Override
    public void ack(Incoming message) throws MqttException {
        client.messageArrivedComplete(message.messageId(), message.qos());
    }

    @Override
    public void close() {
        var loop = connecting;
        if (loop != null) {
            loop.close();
        }
        try {
            if (client.isConnected()) {
                client.disconnect(5_000).waitForCompletion(6_000);
            }
            client.close(true);
        } catch (MqttException e) {
            LOG.warning("MQTT disconnect failed: " + e.getMessage());
        }
    }
}
