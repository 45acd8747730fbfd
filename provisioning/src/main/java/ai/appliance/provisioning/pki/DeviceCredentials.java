package ai.appliance.provisioning.pki;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The device side of enrollment and renewal: the folder that holds the device key, its certificate, the trust
 * bundle, the CRL and tls.yaml.
 *
 * <pre>
 * device-key.pem    PKCS#8 EC P-256 PRIVATE KEY, mode 0600; kept across renewals (it also unwraps the model data key)
 * device.csr.pem    the last CSR (PKCS#10)
 * device-cert.pem   the device certificate followed by the CA certificate (the chain TLS presents)
 * trust-bundle.pem  CA certificates this device trusts for peers (server clients, broker)
 * crl.pem           the fleet CRL
 * tls.yaml          {@link TlsSettings}
 * </pre>
 */
public final class DeviceCredentials {

    public static final Duration RENEW_BEFORE = Duration.ofDays(30);

    private final Path dir;

    public DeviceCredentials(Path dir) {
        this.dir = dir;
    }

    public Path keyFile() { return dir.resolve("device-key.pem"); }
    public Path csrFile() { return dir.resolve("device.csr.pem"); }
    public Path certificateFile() { return dir.resolve("device-cert.pem"); }
    public Path trustBundleFile() { return dir.resolve("trust-bundle.pem"); }
    public Path crlFile() { return dir.resolve("crl.pem"); }
    public Path settingsFile() { return dir.resolve(TlsSettings.FILE_NAME); }

    /** The device key, made (0600) when the folder has none yet. */
    public KeyPair keyPair() {
        if (Files.exists(keyFile())) {
            var cert = Files.exists(certificateFile()) ? PkiFiles.readCertificate(certificateFile()) : null;
            var key = PkiFiles.readPrivateKey(keyFile(), "EC");
            if (cert != null) return new KeyPair(cert.getPublicKey(), key);
            return new KeyPair(EcPublicKeys.fromPrivate(key), key);
        }
        var pair = EcKeys.generate();
        PkiFiles.writePrivateKey(keyFile(), pair.getPrivate());
        return pair;
    }

    public PrivateKey privateKey() {
        return PkiFiles.readPrivateKey(keyFile(), "EC");
    }

    public X509Certificate certificate() {
        return PkiFiles.readCertificate(certificateFile());
    }

    /** Enrolls: device key (reused if present), CSR with id and profile, CA signature, then every output file. */
    public X509Certificate enroll(FleetCa ca, String deviceId, String profile, List<String> dnsNames,
                                  List<String> ipAddresses) {
        var csr = DeviceIdentity.csr(keyPair(), deviceId, profile, dnsNames, ipAddresses);
        DeviceIdentity.writeCsr(csrFile(), csr);
        var cert = ca.sign(csr);
        install(ca, cert);
        return cert;
    }

    /** Outcome of a renewal attempt. */
    public sealed interface Renewal permits Renewed, NotDue {
    }

    public record Renewed(X509Certificate certificate) implements Renewal {
    }

    public record NotDue(Duration remaining) implements Renewal {
    }

    /**
     * Renews with the same key when under {@link #RENEW_BEFORE} of validity remains (or always with force):
     * the new CSR repeats the current subject and names, so a renewal cannot change the device's identity.
     */
    public Renewal renew(FleetCa ca, Clock clock, boolean force) {
        var current = certificate();
        var remaining = Duration.between(clock.instant(), current.getNotAfter().toInstant());
        if (!force && remaining.compareTo(RENEW_BEFORE) >= 0) return new NotDue(remaining);
        var subject = org.bouncycastle.asn1.x500.X500Name.getInstance(
                current.getSubjectX500Principal().getEncoded());
        var names = SubjectNames.of(current);
        var key = new KeyPair(current.getPublicKey(), privateKey());
        var csr = DeviceIdentity.csr(key, DeviceIdentity.deviceId(subject), DeviceIdentity.profile(subject),
                names.dns(), names.ips());
        DeviceIdentity.writeCsr(csrFile(), csr);
        var cert = ca.sign(csr);
        install(ca, cert);
        return new Renewed(cert);
    }

    private void install(FleetCa ca, X509Certificate cert) {
        install(List.of(cert, ca.certificate()), PkiFiles.readCertificates(FleetCa.trustBundleFile(ca.directory())),
                ca.currentCrl());
    }

    /**
     * Installs a certificate the CA signed elsewhere (offline CA): checks it belongs to this device's key and
     * chains to the trust bundle, then writes the chain, bundle, CRL and tls.yaml.
     */
    public void install(List<X509Certificate> chain, List<X509Certificate> trustBundle, java.security.cert.X509CRL crl) {
        var cert = chain.getFirst();
        var mine = EcPublicKeys.fromPrivate(privateKey());
        if (!java.util.Arrays.equals(mine.getEncoded(), cert.getPublicKey().getEncoded())) {
            throw new PkiException("the certificate for " + cert.getSubjectX500Principal() + " was not issued for the"
                    + " key in " + keyFile());
        }
        boolean chains = trustBundle.stream().anyMatch(ca -> {
            try {
                cert.verify(ca.getPublicKey());
                return true;
            } catch (java.security.GeneralSecurityException e) {
                return false;
            }
        });
        if (!chains) {
            throw new PkiException("the certificate for " + cert.getSubjectX500Principal()
                    + " is not signed by any CA in the trust bundle");
        }
        PkiFiles.writeCertificates(certificateFile(), chain);
        PkiFiles.writeCertificates(trustBundleFile(), trustBundle);
        PkiFiles.writeCrl(crlFile(), crl);
        var subject = org.bouncycastle.asn1.x500.X500Name.getInstance(cert.getSubjectX500Principal().getEncoded());
        var notAfter = cert.getNotAfter().toInstant();
        new TlsSettings(TlsSettings.FORMAT_VERSION, DeviceIdentity.deviceId(subject), DeviceIdentity.profile(subject),
                dir.relativize(certificateFile()).toString(), dir.relativize(keyFile()).toString(),
                dir.relativize(trustBundleFile()).toString(), dir.relativize(crlFile()).toString(), "required",
                List.of("TLSv1.3"), notAfter.toString(), notAfter.minus(RENEW_BEFORE).toString())
                .write(settingsFile());
    }

    public static Instant renewAfter(X509Certificate cert) {
        return cert.getNotAfter().toInstant().minus(RENEW_BEFORE);
    }
}
