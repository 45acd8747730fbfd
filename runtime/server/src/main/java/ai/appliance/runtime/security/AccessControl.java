package ai.appliance.runtime.security;

import ai.appliance.runtime.api.ApiException;
import ai.appliance.runtime.api.ErrorKind;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.Optional;
import javax.security.auth.x500.X500Principal;

/**
 * Authentication (API key or verified client certificate), authorization against the role matrix, and
 * per-principal rate limits, shared by every front end.
 */
public final class AccessControl {

    private final boolean enabled;
    private final ApiKeyStore keys;
    private final Map<String, Role> certificateRoles;
    private final Role defaultCertificateRole;
    private final double userRatePerSecond;
    private final RateLimiter limiter = new RateLimiter();

    /**
     * @param enabled                when false every caller is {@link Principal#local()} (loopback default)
     * @param certificateRoles       client certificate common name → role
     * @param defaultCertificateRole role of a verified certificate not in the map, or null to refuse it
     * @param userRatePerSecond      rate of user-role keys that name none
     */
    public AccessControl(boolean enabled, ApiKeyStore keys, Map<String, Role> certificateRoles,
                         Role defaultCertificateRole, double userRatePerSecond) {
        this.enabled = enabled;
        this.keys = keys;
        this.certificateRoles = Map.copyOf(certificateRoles);
        this.defaultCertificateRole = defaultCertificateRole;
        this.userRatePerSecond = userRatePerSecond;
    }

    public static AccessControl disabled() {
        return new AccessControl(false, new ApiKeyStore(java.util.List.of()), Map.of(), null, 0);
    }

    public boolean enabled() {
        return enabled;
    }

    /**
     * Finds the caller from an API key (Bearer token or x-api-key) or a TLS client certificate that the
     * server already verified against its trust bundle.
     */
    public Principal authenticate(String apiKey, Optional<X509Certificate> clientCertificate) {
        if (!enabled) {
            return Principal.local();
        }
        if (apiKey != null && !apiKey.isBlank()) {
            var found = keys.find(apiKey).orElseThrow(() -> new ApiException(ErrorKind.UNAUTHENTICATED,
                    "the API key is not valid; check the Authorization: Bearer header"));
            return withDefaultRate(found);
        }
        if (clientCertificate.isPresent()) {
            var cn = commonName(clientCertificate.get().getSubjectX500Principal());
            var role = certificateRoles.getOrDefault(cn, defaultCertificateRole);
            if (role == null) {
                throw new ApiException(ErrorKind.FORBIDDEN, "client certificate '" + cn + "' is not mapped to a role");
            }
            return withDefaultRate(new Principal("cert:" + cn, role, 0));
        }
        throw new ApiException(ErrorKind.UNAUTHENTICATED,
                "authentication required: send Authorization: Bearer <api key> or a client certificate");
    }

    /** Throws 403 unless {@code principal}'s role allows {@code permission}. */
    public void authorize(Principal principal, Permission permission) {
        if (!principal.role().allows(permission)) {
            throw new ApiException(ErrorKind.FORBIDDEN, "role '" + principal.role().wireName()
                    + "' may not " + permission.name().toLowerCase().replace('_', ' '));
        }
    }

    /** Throws 429 with Retry-After when the caller's token bucket is empty. */
    public void rateLimit(Principal principal) {
        long waitMs = limiter.acquire(principal);
        if (waitMs > 0) {
            throw new ApiException(ErrorKind.RATE_LIMITED, "rate limit of " + principal.ratePerSecond()
                    + " requests/s exceeded for '" + principal.name() + "'; retry in " + waitMs + " ms",
                    null, (int) Math.max(1, Math.ceil(waitMs / 1000.0)));
        }
    }

    private Principal withDefaultRate(Principal p) {
        if (p.role() == Role.USER && p.ratePerSecond() <= 0) {
            return new Principal(p.name(), p.role(), userRatePerSecond);
        }
        return p;
    }

    /** The CN of a certificate subject (the device id of fleet certificates), else the whole subject. */
    public static String commonName(X500Principal subject) {
        for (var part : subject.getName(X500Principal.RFC2253).split(",")) {
            if (part.startsWith("CN=")) {
                return part.substring(3);
            }
        }
        return subject.getName();
    }
}
