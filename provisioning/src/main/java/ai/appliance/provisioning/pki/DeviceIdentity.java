package ai.appliance.provisioning.pki;

import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

import java.io.IOException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A device's identity: its EC P-256 key and the CSR that carries its id (subject CN) and profile (subject OU),
 * plus the names clients reach it by (subjectAltName DNS / IP) so its certificate also serves HTTPS.
 */
public final class DeviceIdentity {

    private static final Pattern DEVICE_ID = Pattern.compile("[a-z0-9][a-z0-9.-]{0,62}");

    private DeviceIdentity() {
    }

    public static void requireValidId(String deviceId) {
        if (deviceId == null || !DEVICE_ID.matcher(deviceId).matches()) {
            throw new PkiException("device id '" + deviceId + "' is not valid: use 1-63 characters of a-z, 0-9, "
                    + "'.' and '-', starting with a letter or digit (it becomes the certificate CN and a DNS name)");
        }
    }

    public static X500Name subject(String deviceId, String profile) {
        var builder = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "Appliance Fleet");
        if (profile != null) builder.addRDN(BCStyle.OU, profile);
        return builder.addRDN(BCStyle.CN, deviceId).build();
    }

    public static String deviceId(X500Name subject) {
        return FleetCa.rdn(subject, BCStyle.CN);
    }

    public static String profile(X500Name subject) {
        return FleetCa.rdn(subject, BCStyle.OU);
    }

    /** A PKCS#10 request signed by the device key; the device id is always a DNS SAN too. */
    public static PKCS10CertificationRequest csr(KeyPair key, String deviceId, String profile,
                                                 List<String> dnsNames, List<String> ipAddresses) {
        requireValidId(deviceId);
        try {
            var names = new ArrayList<GeneralName>();
            names.add(new GeneralName(GeneralName.dNSName, deviceId));
            for (var dns : dnsNames) if (!dns.equals(deviceId)) names.add(new GeneralName(GeneralName.dNSName, dns));
            for (var ip : ipAddresses) names.add(new GeneralName(GeneralName.iPAddress, ip));
            var extensions = new ExtensionsGenerator();
            extensions.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(names.toArray(GeneralName[]::new)));
            return new JcaPKCS10CertificationRequestBuilder(subject(deviceId, profile), key.getPublic())
                    .addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions.generate())
                    .build(new JcaContentSignerBuilder(EcKeys.SIGNATURE).build(key.getPrivate()));
        } catch (IOException | OperatorCreationException | IllegalArgumentException e) {
            throw new PkiException("cannot build the CSR for device " + deviceId + ": " + e.getMessage(), e);
        }
    }

    public static void writeCsr(Path file, PKCS10CertificationRequest csr) {
        try {
            SecureFiles.writePublic(file, Pem.encode(Pem.CERTIFICATE_REQUEST, csr.getEncoded()));
        } catch (IOException e) {
            throw new PkiException("cannot encode the CSR for " + file, e);
        }
    }

    public static PKCS10CertificationRequest readCsr(Path file) {
        var der = Pem.decodeOne(SecureFiles.readString(file), Pem.CERTIFICATE_REQUEST, file);
        try {
            return new PKCS10CertificationRequest(der);
        } catch (IOException | RuntimeException e) {
            throw new PkiException(file + " holds a CSR that does not parse: " + e.getMessage(), e);
        }
    }
}
