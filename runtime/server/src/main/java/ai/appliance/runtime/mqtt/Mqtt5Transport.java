package ai.appliance.runtime.mqtt;

import java.nio.charset.StandardCharsets;
import java.util.logging.Logger;
import javax.net.SocketFactory;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/** MQTT 5 over Paho: response topic and correlation data; session expiry keeps the session a week. */
final class Mqtt5Transport implements MqttTransport {

    private static final Logger LOG = Logger.getLogger(Mqtt5Transport.class.getName());
    private static final long SESSION_EXPIRY_SECONDS = 7 * 24 * 3600;

    private final MqttAsyncClient client;
    private final String username;
    private final String password;
    private final SocketFactory sockets;
    private volatile ReconnectLoop connecting;

    Mqtt5Transport(String url, String clientId, String username, String password, SocketFactory sockets)
            throws MqttException {
        this.client = new MqttAsyncClient(url, clientId, new MemoryPersistence());
        this.username = username;
        this.password = password;
        this.sockets = sockets;
    }

    @Override
    public String protocol() {
        return "5";
    }

    @Override
    public boolean connect(Listener listener, String willTopic, byte[] willPayload) {
        var options = new MqttConnectionOptions();
        options.setCleanStart(false);
        options.setSessionExpiryInterval(SESSION_EXPIRY_SECONDS);
        options.setAutomaticReconnect(true);
        // Paho's reconnect after a lost connection waits as long as the first connection's ReconnectLoop.
        options.setAutomaticReconnectDelay((int) ReconnectLoop.FIRST_DELAY.toSeconds(),
                (int) ReconnectLoop.MAX_DELAY.toSeconds());
        options.setKeepAliveInterval(30);
        options.setConnectionTimeout((int) ReconnectLoop.ATTEMPT_TIMEOUT.toSeconds());
        options.setReceiveMaximum(64);
        if (username != null) {
            options.setUserName(username);
        }
        if (password != null) {
            options.setPassword(password.getBytes(StandardCharsets.UTF_8));
        }
        if (sockets != null) {
            options.setSocketFactory(sockets);
        }
        var will = new MqttMessage(willPayload);
        will.setQos(1);
        will.setRetained(true);
        options.setWill(willTopic, will);
        client.setManualAcks(true);
        client.setCallback(new MqttCallback() {
            @Override
            public void disconnected(MqttDisconnectResponse response) {
                listener.disconnected(response.getReasonString());
            }

            @Override
            public void mqttErrorOccurred(MqttException exception) {
                LOG.warning("MQTT error: " + exception.getMessage());
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                var props = message.getProperties();
                var userProperties = new java.util.HashMap<String, String>();
                if (props != null && props.getUserProperties() != null) {
                    for (var p : props.getUserProperties()) {
                        userProperties.put(p.getKey(), p.getValue());
                    }
                }
                listener.arrived(new Incoming(topic, message.getPayload(),
                        props == null ? null : props.getResponseTopic(), props == null ? null : props.getCorrelationData(),
                        userProperties, message.getId(), message.getQos()));
            }

            @Override
            public void deliveryComplete(IMqttToken token) {
            }

            @Override
            public void connectComplete(boolean reconnect, String serverURI) {
                listener.connected();
            }

            @Override
            public void authPacketArrived(int reasonCode, MqttProperties properties) {
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
        var subs = new MqttSubscription[topics.length];
        for (int i = 0; i < topics.length; i++) {
            subs[i] = new MqttSubscription(topics[i], 1);
        }
        client.subscribe(subs).waitForCompletion(10_000);
    }

    @Override
    public void publish(String topic, byte[] payload, byte[] correlation, boolean retained) throws MqttException {
        var message = new MqttMessage(payload);
        message.setQos(1);
        message.setRetained(retained);
        var props = new MqttProperties();
        if (correlation != null) {
            props.setCorrelationData(correlation);
        }
        props.setContentType("application/json");
        message.setProperties(props);
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
