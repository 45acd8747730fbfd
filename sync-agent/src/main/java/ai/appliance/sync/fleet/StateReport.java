package ai.appliance.sync.fleet;

/** The retained MQTT state message of one device and model (docs/formats.md §10). */
public record StateReport(String deviceId, String group, String model, String version, String state, double progress,
                          String lastError, String offlineSince, String time) {}
