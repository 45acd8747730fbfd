package ai.appliance.runtime.security;

import java.nio.file.Path;

/**
 * TLS from the {@code tls.yaml} that {@code provision enroll} writes ({@code settings}), or from PEM files.
 * {@code trust} (CA bundle) verifies client certificates; {@code clientAuth} is none, optional or required.
 * It lives beside {@link TlsSetup}, which reads it, rather than in the config record that fills it in: the config
 * depends on security's types (roles, API keys), so security must not depend on the config.
 */
public record TlsConfig(Path settings, Path certificate, Path privateKey, Path trust, String clientAuth) { }
