package ai.appliance.runtime.security;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** Who a caller is allowed to be; the permission matrix lives here and nowhere else. */
public enum Role {
    /** Everything. */
    ADMIN(EnumSet.allOf(Permission.class)),
    /** Generation and model management. */
    DEVELOPER(EnumSet.of(Permission.GENERATE, Permission.LIST_MODELS, Permission.MANAGE_MODELS)),
    /** Generation only (and listing the models it can call); rate-limited by default. */
    USER(EnumSet.of(Permission.GENERATE, Permission.LIST_MODELS)),
    /** Audit log and metrics only. */
    AUDITOR(EnumSet.of(Permission.READ_AUDIT, Permission.READ_METRICS));

    private final Set<Permission> permissions;

    Role(Set<Permission> permissions) {
        this.permissions = permissions;
    }

    public boolean allows(Permission permission) {
        return permissions.contains(permission);
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Role parse(String text, String where) {
        try {
            return Role.valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException(where + ": unknown role '" + text
                    + "'; use one of admin, developer, user, auditor");
        }
    }
}
