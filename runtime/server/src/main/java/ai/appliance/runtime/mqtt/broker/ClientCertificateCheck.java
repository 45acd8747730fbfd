package ai.appliance.runtime.mqtt.broker;

import ai.appliance.provisioning.pki.PkiException;
import ai.appliance.provisioning.pki.TlsContexts;
import ai.appliance.provisioning.pki.TlsSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Objects;
import javax.net.ssl.X509TrustManager;

/**
 * Verifies a connecting device's certificate chain exactly as the HTTPS server does (provisioning's
 * {@link TlsContexts#trustManager}: the fleet trust bundle as the only anchors, the fleet CRL checked, offline).
 * The TLS listener's own handshake only checks the chain; the revocation check happens here, at every CONNECT.
 *
 * <p>A broker runs for months while devices get revoked: when the CRL or the trust bundle file changes on disk
 * (an operator copies the new {@code crl.pem} from {@code provision ca revoke}), the next connection uses it,
 * without a restart.
 */
final class ClientCertificateCheck {

    private final TlsSettings settings;
    private X509TrustManager trust;
    private FileTime crlTime;
    private FileTime bundleTime;

    /** @throws PkiException when the trust bundle or the CRL cannot be read: start-up stops, not the first device */
    ClientCertificateCheck(TlsSettings settings) {
        this.settings = settings;
        try {
            current();
        } catch (CertificateException e) {
            throw new PkiException(e.getMessage(), e);
        }
    }

    /** @throws CertificateException naming why the chain is not trusted (revoked, other CA, expired) */
    void verify(X509Certificate[] chain) throws CertificateException {
        current().checkClientTrusted(chain, "UNKNOWN");
    }

    private synchronized X509TrustManager current() throws CertificateException {
        var crl = modified(settings.crl());
        var bundle = modified(settings.trustBundle());
        if (trust == null || !Objects.equals(crl, crlTime) || !Objects.equals(bundle, bundleTime)) {
            try {
                trust = TlsContexts.trustManager(settings);
            } catch (PkiException e) {
                // Fail closed, as the TLS trust manager does with a stale CRL: a CRL that cannot be read (or is
                // half written) admits no certificate until a good one is in place.
                trust = null;
                throw new CertificateException("the fleet trust bundle or CRL cannot be read: " + e.getMessage(), e);
            }
            crlTime = crl;
            bundleTime = bundle;
        }
        return trust;
    }

    private static FileTime modified(String file) {
        if (file == null) {
            return null;
        }
        try {
            return Files.getLastModifiedTime(Path.of(file));
        } catch (IOException e) {
            return null;
        }
    }
}
