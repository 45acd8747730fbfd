package ai.appliance.sync.manifest;

/** The desired version of a model for one device group, with an optional staged rollout (docs/formats.md §6). */
public record ChannelPointer(String type, int formatVersion, String model, String channel, long serial, String expires,
                             String version, String manifestSha256, long manifestSerial,
                             int rolloutPercent, Target baseline) {
    public static final String TYPE = "channel";

    /** A version a device may be pointed at. */
    public record Target(String version, String manifestSha256, long manifestSerial) {}

    public Target target() {
        return new Target(version, manifestSha256, manifestSerial);
    }
}
