package ai.appliance.sync.fleet;

/** MQTT topic names of docs/formats.md §10. */
public final class Topics {
    private Topics() {}

    public static String notify(String model, String channel) {
        return "appliance/sync/notify/" + model + "/" + channel;
    }

    public static String state(String group, String deviceId) {
        return "appliance/sync/state/" + group + "/" + deviceId;
    }

    public static String groupStates(String group) {
        return "appliance/sync/state/" + group + "/+";
    }
}
