package ai.appliance.provisioning.pki;

import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

/**
 * The fleet certificate authority: an EC P-256 key and self-signed certificate in a folder, which signs device
 * CSRs into 90-day certificates and keeps the certificate revocation list.
 *
 * <pre>
 * ca-key.pem        PKCS#8 PRIVATE KEY, mode 0600 (keep this folder offline)
 * ca-cert.pem       the CA certificate
 * trust-bundle.pem  what devices trust (the CA certificate; during a CA rotation old and new)
 * crl.pem           X509 CRL, re-signed on every revocation and by `provision ca crl`
 * </pre>
 */
public final class FleetCa {

    public static final Duration DEVICE_VALIDITY = Duration.ofDays(90);
    public static final Duration CA_VALIDITY = Duration.ofDays(3650);
    public static final Duration CRL_VALIDITY = Duration.ofDays(30);
    /** Issued certificates start slightly in the past so that a device whose clock lags a little accepts them. */
    static final Duration BACKDATE = Duration.ofMinutes(5);

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path dir;
    private final PrivateKey key;
    private final X509Certificate certificate;
    private final Clock clock;

    private FleetCa(Path dir, PrivateKey key, X509Certificate certificate, Clock clock) {
        this.dir = dir;
        this.key = key;
        this.certificate = certificate;
        this.clock = clock;
    }

    public static Path keyFile(Path dir) {
        return dir.resolve("ca-key.pem");
    }

    public static Path certificateFile(Path dir) {
        return dir.resolve("ca-cert.pem");
    }

    public static Path trustBundleFile(Path dir) {
        return dir.resolve("trust-bundle.pem");
    }

    public static Path crlFile(Path dir) {
        return dir.resolve("crl.pem");
    }

    /** Creates a new CA in an empty (or absent) folder; refuses to overwrite an existing CA key. */
    public static FleetCa init(Path dir, String name, Clock clock) {
        if (Files.exists(keyFile(dir))) {
            throw new PkiException(keyFile(dir) + " already exists: refusing to replace a fleet CA");
        }
        var pair = EcKeys.generate();
        var subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "Appliance Fleet")
                .addRDN(BCStyle.CN, name).build();
        var now = clock.instant();
        try {
            var ext = new JcaX509ExtensionUtils();
            var builder = new JcaX509v3CertificateBuilder(subject, serial(), Date.from(now.minus(BACKDATE)),
                    Date.from(now.plus(CA_VALIDITY)), subject, pair.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            ext.createSubjectKeyIdentifier(pair.getPublic()));
            var cert = convert(builder.build(signer(pair.getPrivate())));
            PkiFiles.writePrivateKey(keyFile(dir), pair.getPrivate());
            PkiFiles.writeCertificates(certificateFile(dir), List.of(cert));
            PkiFiles.writeCertificates(trustBundleFile(dir), List.of(cert));
            var ca = new FleetCa(dir, pair.getPrivate(), cert, clock);
            ca.writeCrl(List.of(), BigInteger.ONE);
            return ca;
        } catch (GeneralSecurityException | OperatorCreationException | java.io.IOException e) {
            throw new PkiException("cannot create the fleet CA in " + dir + ": " + e.getMessage(), e);
        }
    }

    public static FleetCa load(Path dir, Clock clock) {
        var key = PkiFiles.readPrivateKey(keyFile(dir), "EC");
        var cert = PkiFiles.readCertificate(certificateFile(dir));
        return new FleetCa(dir, key, cert, clock);
    }

    public X509Certificate certificate() {
        return certificate;
    }

    public Path directory() {
        return dir;
    }

    /**
     * Signs a device CSR: checks its signature and key, copies subject and SANs, and issues a certificate valid for
     * {@link #DEVICE_VALIDITY}, usable as TLS server and client (the device serves HTTPS and is an MQTT client) and
     * for key agreement (the device key unwraps the model data key).
     */
    public X509Certificate sign(PKCS10CertificationRequest csr) {
        return sign(csr, clock.instant(), DEVICE_VALIDITY);
    }

    /** As {@link #sign(PKCS10CertificationRequest)} with an explicit window; tests issue expired ones with it. */
    public X509Certificate sign(PKCS10CertificationRequest csr, Instant start, Duration validity) {
        try {
            if (!csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(csr.getSubjectPublicKeyInfo()))) {
                throw new PkiException("the CSR of " + csr.getSubject() + " carries an invalid signature");
            }
            var jcaCsr = new JcaPKCS10CertificationRequest(csr);
            var publicKey = jcaCsr.getPublicKey();
            EcKeys.requireP256(publicKey, "the device key in the CSR of " + csr.getSubject());
            var deviceId = DeviceIdentity.deviceId(csr.getSubject());
            DeviceIdentity.requireValidId(deviceId);
            var ext = new JcaX509ExtensionUtils();
            var builder = new JcaX509v3CertificateBuilder(certificate, serial(), Date.from(start.minus(BACKDATE)),
                    Date.from(start.plus(validity)), csr.getSubject(), publicKey)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true,
                            new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                            new KeyPurposeId[]{KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(publicKey))
                    .addExtension(Extension.authorityKeyIdentifier, false,
                            ext.createAuthorityKeyIdentifier(certificate));
            var sans = requestedSubjectAltNames(csr);
            if (sans != null) builder.addExtension(Extension.subjectAlternativeName, false, sans);
            return convert(builder.build(signer(key)));
        } catch (OperatorCreationException | PKCSException | GeneralSecurityException | java.io.IOException e) {
            throw new PkiException("cannot sign the CSR of " + csr.getSubject() + ": " + e.getMessage(), e);
        }
    }

    private static GeneralNames requestedSubjectAltNames(PKCS10CertificationRequest csr) {
        for (var attribute : csr.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)) {
            var extensions = Extensions.getInstance(attribute.getAttrValues().getObjectAt(0));
            var sans = GeneralNames.fromExtensions(extensions, Extension.subjectAlternativeName);
            if (sans != null) return sans;
        }
        return null;
    }

    /** Adds a certificate to the CRL and re-signs it; revoking twice is harmless. */
    public X509CRL revoke(BigInteger serial) {
        var current = currentCrl();
        var revoked = new java.util.ArrayList<BigInteger>();
        if (current.getRevokedCertificates() != null) {
            current.getRevokedCertificates().forEach(e -> revoked.add(e.getSerialNumber()));
        }
        if (!revoked.contains(serial)) revoked.add(serial);
        return writeCrl(revoked, crlNumber(current).add(BigInteger.ONE));
    }

    /** Re-signs the CRL with a fresh next-update (run at least every {@link #CRL_VALIDITY}). */
    public X509CRL refreshCrl() {
        var current = currentCrl();
        var revoked = new java.util.ArrayList<BigInteger>();
        if (current.getRevokedCertificates() != null) {
            current.getRevokedCertificates().forEach(e -> revoked.add(e.getSerialNumber()));
        }
        return writeCrl(revoked, crlNumber(current).add(BigInteger.ONE));
    }

    public X509CRL currentCrl() {
        return PkiFiles.readCrl(crlFile(dir));
    }

    private X509CRL writeCrl(List<BigInteger> revoked, BigInteger number) {
        var now = clock.instant();
        try {
            var issuer = X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
            var builder = new X509v2CRLBuilder(issuer, Date.from(now));
            builder.setNextUpdate(Date.from(now.plus(CRL_VALIDITY)));
            for (var serial : revoked) builder.addCRLEntry(serial, Date.from(now), CRLReason.keyCompromise);
            builder.addExtension(Extension.cRLNumber, false, new CRLNumber(number));
            builder.addExtension(Extension.authorityKeyIdentifier, false,
                    new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(certificate));
            var crl = new JcaX509CRLConverter().getCRL(builder.build(signer(key)));
            PkiFiles.writeCrl(crlFile(dir), crl);
            return crl;
        } catch (GeneralSecurityException | OperatorCreationException | java.io.IOException e) {
            throw new PkiException("cannot sign the CRL in " + dir + ": " + e.getMessage(), e);
        }
    }

    private static BigInteger crlNumber(X509CRL crl) {
        var value = crl.getExtensionValue(Extension.cRLNumber.getId());
        if (value == null) return BigInteger.ZERO;
        var octets = org.bouncycastle.asn1.ASN1OctetString.getInstance(value).getOctets();
        return CRLNumber.getInstance(octets).getCRLNumber();
    }

    /** Random positive 127-bit serials: unique without a counter file that could be lost or forked. */
    private static BigInteger serial() {
        return new BigInteger(127, RANDOM).add(BigInteger.ONE);
    }

    private static org.bouncycastle.operator.ContentSigner signer(PrivateKey key) throws OperatorCreationException {
        return new JcaContentSignerBuilder(EcKeys.SIGNATURE).build(key);
    }

    private static X509Certificate convert(org.bouncycastle.cert.X509CertificateHolder holder)
            throws CertificateException {
        return new JcaX509CertificateConverter().getCertificate(holder);
    }

    static String rdn(X500Name name, org.bouncycastle.asn1.ASN1ObjectIdentifier type) {
        var rdns = name.getRDNs(type);
        return rdns.length == 0 ? null : IETFUtils.valueToString(rdns[0].getFirst().getValue());
    }
}
