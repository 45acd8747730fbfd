package ai.appliance.sync.fleet;

import ai.appliance.sync.SyncException;
import ai.appliance.sync.util.Json;
import org.eclipse.paho.mqttv5.client.MqttClient;
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
            client.connect(options);
            try {
                client.subscribe(Topics.groupStates(group), 1, (topic, msg) -> {
                    try {
                        var r = Json.read(msg.getPayload(), StateReport.class, topic);
                        reports.put(r.deviceId() + "/" + r.model(), r);
                    } catch (SyncException e) {
                        // A foreign message on our topic: ignore it rather than misreport the fleet.
                    }
                });
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
