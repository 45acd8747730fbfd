package ai.appliance.runtime.routing;

import ai.appliance.runtime.security.Principal;
import ai.appliance.runtime.security.Role;
import java.util.Set;

/**
 * Callers named in the routing configuration: by API key name ({@code security.api-keys[].name}; a client
 * certificate's caller is {@code cert:<CN>}) or by role. A caller belongs when its name or its role is listed.
 */
public record Callers(Set<String> apiKeys, Set<Role> roles) {

    public static final Callers NONE = new Callers(Set.of(), Set.of());

    public Callers {
        apiKeys = Set.copyOf(apiKeys);
        roles = Set.copyOf(roles);
    }

    public boolean contains(Principal caller) {
        return apiKeys.contains(caller.name()) || roles.contains(caller.role());
    }

    public boolean isEmpty() {
        return apiKeys.isEmpty() && roles.isEmpty();
    }
}
