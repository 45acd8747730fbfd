package ai.appliance.runtime.server;

import ai.appliance.runtime.config.ApplianceConfig;
import ai.appliance.runtime.metrics.ServingMetrics;
import ai.appliance.runtime.security.TlsConfig;
import ai.appliance.runtime.security.TlsSetup;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.logging.Logger;

/**
 * Exports when the certificates the appliance presents expire: the server's (HTTPS, gRPC) and the MQTT client's.
 * Read once at start, because that is the certificate served until the next restart, whatever a renewal wrote
 * to disk since.
 */
final class CertificateExpiry {

    private static final Logger LOG = Logger.getLogger(CertificateExpiry.class.getName());

    private CertificateExpiry() {
    }

    static void register(ServingMetrics metrics, ApplianceConfig config) {
        register(metrics, "server", config.http().tls());
        if (config.mqtt().enabled()) {
            register(metrics, "mqtt", config.mqtt().tls());
        }
    }

    private static void register(ServingMetrics metrics, String use, TlsConfig tls) {
        if (tls == null || tls.settings() == null && tls.certificate() == null) {
            return;
        }
        try {
            var chain = TlsSetup.settings(tls).certificateChain();
            if (chain != null) {
                metrics.certificate(use, notAfter(Path.of(chain)));
            }
        } catch (IOException | CertificateException | RuntimeException e) {
            // TLS set-up itself reports an unreadable certificate; the metric is only missing then.
            LOG.warning("cannot read the " + use + " certificate for its expiry metric: " + e.getMessage());
        }
    }

    /** The first certificate of a PEM chain is the appliance's own. */
    static Instant notAfter(Path pemChain) throws IOException, CertificateException {
        try (InputStream in = Files.newInputStream(pemChain)) {
            var certificate = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            return certificate.getNotAfter().toInstant();
        }
    }
}
