package ai.appliance.sync.fleet;

import ai.appliance.sync.SyncException;
import ai.appliance.sync.manifest.ChannelPointer;
import ai.appliance.sync.util.Json;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;

import java.util.UUID;

/** Tells agents that a channel moved (a hint: agents re-read and verify the signed pointer themselves). */
public final class Notifier {
    private Notifier() {}

    public static void notify(String brokerUri, ChannelPointer pointer) {
        try {
            var client = new MqttClient(brokerUri, "sync-publisher-" + UUID.randomUUID(), new MemoryPersistence());
            var options = new MqttConnectionOptions();
            options.setConnectionTimeout(5);
            client.connect(options);
            try {
                var msg = new MqttMessage(Json.write(pointer));
                msg.setQos(1);
                client.publish(Topics.notify(pointer.model(), pointer.channel()), msg);
            } finally {
                client.disconnect();
                client.close();
            }
        } catch (MqttException e) {
            throw new SyncException.StoreUnavailable("published, but could not notify agents over MQTT at " + brokerUri + ": " + e.getMessage(), e);
        }
    }
}
