package ai.appliance.runtime.security;

/**
 * An authenticated caller.
 *
 * @param name         key name or certificate subject
 * @param role         what it may do
 * @param ratePerSecond request rate allowed (token bucket), or 0 for unlimited
 */
public record Principal(String name, Role role, double ratePerSecond) {

    /** The caller when authentication is switched off (loopback-only default). */
    public static Principal local() {
        return new Principal("local", Role.ADMIN, 0);
    }
}
