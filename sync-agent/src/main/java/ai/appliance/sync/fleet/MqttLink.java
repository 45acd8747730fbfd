package ai.appliance.sync.fleet;

import ai.appliance.sync.agent.AgentState;
import ai.appliance.sync.agent.SyncConfig;
import ai.appliance.sync.util.Json;
import ai.appliance.sync.util.Times;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

import java.time.Instant;
import java.util.List;

/**
 * The agent's MQTT side: wake-up hints in, retained state reports out. MQTT is optional plumbing; when the
 * broker is down the agent still polls, and reports resume when Paho reconnects.
 */
public final class MqttLink implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(MqttLink.class.getName());

    private final SyncConfig.Mqtt config;
    private final String deviceId;
    private final List<SyncConfig.ModelRef> models;
    private final Runnable onNotify;
    private MqttClient client;

    public MqttLink(SyncConfig.Mqtt config, String deviceId, List<SyncConfig.ModelRef> models, Runnable onNotify) {
        this.config = config;
        this.deviceId = deviceId;
        this.models = models;
        this.onNotify = onNotify;
    }

    private String group() {
        return config.group() != null ? config.group() : models.getFirst().channel();
    }

    public void connect() {
        try {
            client = new MqttClient(config.uri(), "sync-" + deviceId, new MemoryPersistence());
            client.setCallback(new MqttCallback() {
                @Override public void disconnected(MqttDisconnectResponse r) {}
                @Override public void mqttErrorOccurred(MqttException e) {}
                @Override public void messageArrived(String topic, MqttMessage message) { onNotify.run(); }
                @Override public void deliveryComplete(IMqttToken token) {}
                @Override public void connectComplete(boolean reconnect, String serverURI) { subscribe(); }
                @Override public void authPacketArrived(int reasonCode, MqttProperties properties) {}
            });
            var options = new MqttConnectionOptions();
            options.setAutomaticReconnect(true);
            options.setCleanStart(true);
            options.setConnectionTimeout(5);
            if (config.username() != null) options.setUserName(config.username());
            if (config.passwordEnv() != null) {
                var password = System.getenv(config.passwordEnv());
                if (password == null) {
                    LOG.log(System.Logger.Level.WARNING, "MQTT password variable {0} is not set", config.passwordEnv());
                } else {
                    options.setPassword(password.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                }
            }
            client.connect(options);
        } catch (MqttException e) {
            LOG.log(System.Logger.Level.WARNING, "MQTT broker {0} unreachable ({1}); polling only", config.uri(), e.getMessage());
        }
    }

    private void subscribe() {
        for (var m : models) {
            try {
                client.subscribe(Topics.notify(m.name(), m.channel()), 1);
            } catch (MqttException e) {
                LOG.log(System.Logger.Level.WARNING, "MQTT subscribe failed: {0}", e.getMessage());
            }
        }
    }

    public void publishState(AgentState s) {
        if (client == null || !client.isConnected()) return;
        var report = new StateReport(deviceId, group(), s.model(), s.active(), s.state(), s.progress(), s.lastError(),
                s.offlineSince(), Times.format(Instant.now()));
        try {
            var msg = new MqttMessage(Json.write(report));
            msg.setQos(1);
            msg.setRetained(true);
            client.publish(Topics.state(group(), deviceId), msg);
        } catch (MqttException e) {
            LOG.log(System.Logger.Level.WARNING, "MQTT state report failed: {0}", e.getMessage());
        }
    }

    @Override
    public void close() {
        if (client == null) return;
        try {
            if (client.isConnected()) client.disconnect();
            client.close();
        } catch (MqttException e) {
            LOG.log(System.Logger.Level.DEBUG, "MQTT close: {0}", e.getMessage());
        }
    }
}
