package ai.appliance.runtime.mqtt;

import ai.appliance.runtime.security.Principal;
import ai.appliance.runtime.security.Role;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A device the embedded broker authenticated when it connected, as the broker stamps it on every message the
 * device publishes (MQTT 5 user properties). MQTT itself does not tell a subscriber who published a message; these
 * properties do, and the broker removes any that a client set itself, so the gateway can trust them on messages
 * that came through the embedded broker (and only there: an external broker passes client-set properties on).
 *
 * @param id        the device id: the certificate's common name, or the API key's name
 * @param principal who it acts as (role, rate limit), as the HTTP front end would see the same credentials
 */
public record MqttDevice(String id, Principal principal) {

    public static final String ID_PROPERTY = "appliance-device";
    public static final String PRINCIPAL_PROPERTY = "appliance-principal";
    public static final String ROLE_PROPERTY = "appliance-role";
    public static final String RATE_PROPERTY = "appliance-rate";

    /** Every property name the broker owns: it removes these from what clients publish. */
    public static final List<String> PROPERTIES = List.of(ID_PROPERTY, PRINCIPAL_PROPERTY, ROLE_PROPERTY, RATE_PROPERTY);

    public MqttDevice {
        if (!isValidId(id)) {
            throw new IllegalArgumentException("'" + id + "' cannot be an MQTT device id: it must be one topic level"
                    + " (no '/', '+', '#', at most 64 characters)");
        }
    }

    /** Ids are topic levels in reply topics and permissions. */
    public static boolean isValidId(String id) {
        return id != null && !id.isEmpty() && id.length() <= 64 && id.chars().noneMatch(c -> c == '/' || c == '+'
                || c == '#' || c == '{' || c == '}' || c < 0x20);
    }

    public Map<String, String> toProperties() {
        var properties = new LinkedHashMap<String, String>();
        properties.put(ID_PROPERTY, id);
        properties.put(PRINCIPAL_PROPERTY, principal.name());
        properties.put(ROLE_PROPERTY, principal.role().wireName());
        properties.put(RATE_PROPERTY, Double.toString(principal.ratePerSecond()));
        return properties;
    }

    /** The stamped device, or empty when the message carries no (complete) stamp. */
    public static Optional<MqttDevice> fromProperties(Map<String, String> properties) {
        var id = properties.get(ID_PROPERTY);
        var name = properties.get(PRINCIPAL_PROPERTY);
        var role = properties.get(ROLE_PROPERTY);
        var rate = properties.get(RATE_PROPERTY);
        if (id == null || name == null || role == null || rate == null || !isValidId(id)) {
            return Optional.empty();
        }
        try {
            return Optional.of(new MqttDevice(id, new Principal(name, Role.parse(role, ROLE_PROPERTY),
                    Double.parseDouble(rate))));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
