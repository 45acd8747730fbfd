package ai.appliance.provisioning.pki;

import javax.net.ssl.CertPathTrustManagerParameters;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertStore;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.PKIXRevocationChecker;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;

/**
 * JDK TLS contexts from {@link TlsSettings}: the device certificate chain as key material, the trust bundle as
 * the only trust anchors (never the JDK's public CAs) and the fleet CRL checked for every peer certificate.
 * The server and the MQTT client call {@link #create(TlsSettings)} and {@link #parameters(TlsSettings, boolean)}.
 */
public final class TlsContexts {

    private static final char[] IN_MEMORY_PASSWORD = "in-memory".toCharArray();

    private TlsContexts() {
    }

    public static SSLContext create(TlsSettings settings) {
        try {
            var chain = PkiFiles.readCertificates(Path.of(settings.certificateChain()));
            var key = PkiFiles.readPrivateKey(Path.of(settings.privateKey()), "EC");
            var keyStore = KeyStore.getInstance("PKCS12");
            keyStore.load(null, null);
            keyStore.setKeyEntry("device", key, IN_MEMORY_PASSWORD, chain.toArray(X509Certificate[]::new));
            var kmf = KeyManagerFactory.getInstance("PKIX");
            kmf.init(keyStore, IN_MEMORY_PASSWORD);

            var context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), new TrustManager[] {trustManager(settings)}, null);
            return context;
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new PkiException("cannot set up TLS for device " + settings.deviceId() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The peer check of {@link #create}: PKIX with the trust bundle as the only anchors and the CRL (when the
     * settings name one) checked, offline. The MQTT broker calls it on the certificates of connecting devices, so
     * that it accepts exactly what the HTTPS server accepts.
     */
    public static X509TrustManager trustManager(TlsSettings settings) {
        try {
            var anchors = new HashSet<TrustAnchor>();
            for (var ca : PkiFiles.readCertificates(Path.of(settings.trustBundle()))) {
                anchors.add(new TrustAnchor(ca, null));
            }
            var pkix = new PKIXBuilderParameters(anchors, null);
            if (settings.crl() != null) {
                var crl = PkiFiles.readCrl(Path.of(settings.crl()));
                pkix.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(List.of(crl))));
                var checker = (PKIXRevocationChecker) java.security.cert.CertPathValidator.getInstance("PKIX")
                        .getRevocationChecker();
                // Offline fleet: only our CRL counts; no OCSP, no fetching CRL distribution points.
                checker.setOptions(EnumSet.of(PKIXRevocationChecker.Option.PREFER_CRLS,
                        PKIXRevocationChecker.Option.NO_FALLBACK));
                pkix.addCertPathChecker(checker);
                pkix.setRevocationEnabled(false); // the explicit checker above does it
            } else {
                pkix.setRevocationEnabled(false);
            }
            var tmf = TrustManagerFactory.getInstance("PKIX");
            tmf.init(new CertPathTrustManagerParameters(pkix));
            for (var manager : tmf.getTrustManagers()) {
                if (manager instanceof X509TrustManager x509) {
                    return x509;
                }
            }
            throw new PkiException("the JDK's PKIX trust manager factory made no X509TrustManager");
        } catch (GeneralSecurityException e) {
            throw new PkiException("cannot set up the trust check for device " + settings.deviceId() + ": "
                    + e.getMessage(), e);
        }
    }

    /** Protocols from the settings; on the server side client certificates are demanded when mTLS is on. */
    public static SSLParameters parameters(TlsSettings settings, boolean server) {
        var parameters = new SSLParameters();
        parameters.setProtocols(settings.protocols().toArray(String[]::new));
        if (server) parameters.setNeedClientAuth(settings.mutualTls());
        else parameters.setEndpointIdentificationAlgorithm(null); // identity = fleet certificate, not a host name
        return parameters;
    }
}
