package ai.appliance.runtime.security;

import ai.appliance.provisioning.pki.PkiFiles;
import ai.appliance.provisioning.pki.TlsContexts;
import ai.appliance.provisioning.pki.TlsSettings;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS contexts for the server sockets and the MQTT client, built by the provisioning module's
 * {@link TlsContexts} (fleet trust bundle only, CRL checked) from tls.yaml or from PEM paths in the config.
 */
public final class TlsSetup {

    /** TLS 1.3 only: every client the appliance serves (curl, OpenAI SDKs, grpc, Paho) speaks it. */
    public static final List<String> PROTOCOLS = List.of("TLSv1.3");

    /** How the server treats client certificates. */
    public enum ClientAuth { NONE, OPTIONAL, REQUIRED }

    private TlsSetup() {
    }

    public static TlsSettings settings(TlsConfig tls) {
        if (tls.settings() != null) {
            return TlsSettings.read(tls.settings());
        }
        if (tls.certificate() == null || tls.privateKey() == null) {
            throw new IllegalArgumentException("tls: set either settings (a tls.yaml from provision enroll) or both "
                    + "certificate and private-key (PEM files)");
        }
        var trust = tls.trust() != null ? tls.trust() : tls.certificate();
        return new TlsSettings(TlsSettings.FORMAT_VERSION, "server", null, abs(tls.certificate()),
                abs(tls.privateKey()), abs(trust), null, tls.clientAuth(), PROTOCOLS, null, null);
    }

    /** The server's context: its certificate as key material, the trust bundle for client certificates. */
    public static SSLContext serverContext(TlsConfig tls) {
        return TlsContexts.create(settings(tls));
    }

    public static ClientAuth clientAuth(TlsConfig tls) {
        var text = tls.settings() != null ? settings(tls).clientAuth() : tls.clientAuth();
        try {
            return ClientAuth.valueOf((text == null ? "none" : text).trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("tls client-auth must be none, optional or required, was '" + text + "'");
        }
    }

    /** A client context for an external broker: client certificate when configured, else trust only. */
    public static SSLContext clientContext(TlsConfig tls) {
        if (tls.settings() != null || (tls.certificate() != null && tls.privateKey() != null)) {
            return TlsContexts.create(settings(tls));
        }
        try {
            var store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            int i = 0;
            for (var ca : PkiFiles.readCertificates(tls.trust())) {
                store.setCertificateEntry("ca-" + i++, ca);
            }
            var tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            var context = SSLContext.getInstance("TLSv1.3");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalArgumentException("cannot use the broker trust bundle " + tls.trust() + ": " + e.getMessage(), e);
        }
    }

    private static String abs(Path p) {
        return p.toAbsolutePath().normalize().toString();
    }
}
