package ai.appliance.sync.fleet;

import ai.appliance.sync.SyncException;
import ai.appliance.sync.util.Json;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/** Collects the retained state reports of a device group and summarises them. */
public final class FleetStatus {
    private FleetStatus() {}

    public record Summary(String group, int devices, Map<String, Long> byVersion, Map<String, Long> byState, List<StateReport> reports) {}

    public static Summary collect(String brokerUri, String group, Duration wait) {
        var reports = new ConcurrentHashMap<String, StateReport>();
        try {
            var client = new MqttClient(brokerUri, "fleet-status-" + UUID.randomUUID(), new MemoryPersistence());
            var options = new MqttConnectionOptions();
            options.setConnectionTimeout(5);
            // Paho 1.2.5's subscribe(topic, qos, listener) recurses forever; a client callback avoids it.
            client.setCallback(new MqttCallback() {
                @Override public void disconnected(MqttDisconnectResponse r) {}
                @Override public void mqttErrorOccurred(MqttException e) {}
                @Override public void messageArrived(String topic, MqttMessage msg) {
                    try {
                        var r = Json.read(msg.getPayload(), StateReport.class, topic);
                        reports.put(r.deviceId() + "/" + r.model(), r);
                    } catch (SyncException e) {
                        // A foreign message on our topic: ignore it rather than misreport the fleet.
                    }
                }
                @Override public void deliveryComplete(IMqttToken token) {}
                @Override public void connectComplete(boolean reconnect, String serverURI) {}
                @Override public void authPacketArrived(int reasonCode, MqttProperties properties) {}
            });
            client.connect(options);
            try {
                client.subscribe(Topics.groupStates(group), 1);
                Thread.sleep(wait.toMillis());
            } finally {
                client.disconnect();
                client.close();
            }
        } catch (MqttException e) {
            throw new SyncException.StoreUnavailable("MQTT broker " + brokerUri + " unreachable: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        var list = reports.values().stream().sorted(java.util.Comparator.comparing(StateReport::deviceId)).toList();
        return new Summary(group, (int) list.stream().map(StateReport::deviceId).distinct().count(),
                new TreeMap<>(list.stream().collect(Collectors.groupingBy(r -> String.valueOf(r.version()), Collectors.counting()))),
                new TreeMap<>(list.stream().collect(Collectors.groupingBy(StateReport::state, Collectors.counting()))), list);
    }
}
