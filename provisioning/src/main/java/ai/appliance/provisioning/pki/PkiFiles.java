package ai.appliance.provisioning.pki;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.List;

/** Reads and writes the PEM files of the fleet PKI, with errors that name the file. */
public final class PkiFiles {

    private PkiFiles() {
    }

    /** A PKCS#8 private key ("PRIVATE KEY"), EC or Ed25519, written 0600. */
    public static void writePrivateKey(Path file, PrivateKey key) {
        SecureFiles.writePrivate(file, Pem.encode(Pem.PRIVATE_KEY, key.getEncoded()).getBytes());
    }

    public static PrivateKey readPrivateKey(Path file, String algorithm) {
        var der = Pem.decodeOne(read(file), Pem.PRIVATE_KEY, file);
        try {
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new PkiException(file + " does not hold a PKCS#8 " + algorithm + " private key: " + e.getMessage(), e);
        }
    }

    /** An X.509 SubjectPublicKeyInfo ("PUBLIC KEY"). */
    public static void writePublicKey(Path file, PublicKey key) {
        SecureFiles.writePublic(file, Pem.encode(Pem.PUBLIC_KEY, key.getEncoded()));
    }

    public static PublicKey readPublicKey(Path file, String algorithm) {
        var der = Pem.decodeOne(read(file), Pem.PUBLIC_KEY, file);
        try {
            return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new PkiException(file + " does not hold an X.509 " + algorithm + " public key: " + e.getMessage(), e);
        }
    }

    public static void writeCertificates(Path file, List<X509Certificate> chain) {
        var text = new StringBuilder();
        try {
            for (var c : chain) text.append(Pem.encode(Pem.CERTIFICATE, c.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new PkiException("cannot encode certificate for " + file, e);
        }
        SecureFiles.writePublic(file, text.toString());
    }

    /** Every certificate in the file, in order (a chain is leaf first). */
    public static List<X509Certificate> readCertificates(Path file) {
        var certs = new ArrayList<X509Certificate>();
        try {
            var factory = CertificateFactory.getInstance("X.509");
            for (var block : Pem.decodeAll(read(file))) {
                if (block.type().equals(Pem.CERTIFICATE)) {
                    certs.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(block.der())));
                }
            }
        } catch (GeneralSecurityException e) {
            throw new PkiException(file + " holds a certificate that does not parse: " + e.getMessage(), e);
        }
        if (certs.isEmpty()) throw new PkiException(file + " holds no PEM CERTIFICATE block");
        return certs;
    }

    public static X509Certificate readCertificate(Path file) {
        return readCertificates(file).getFirst();
    }

    public static void writeCrl(Path file, X509CRL crl) {
        try {
            SecureFiles.writePublic(file, Pem.encode(Pem.CRL, crl.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new PkiException("cannot encode CRL for " + file, e);
        }
    }

    public static X509CRL readCrl(Path file) {
        var der = Pem.decodeOne(read(file), Pem.CRL, file);
        try {
            return (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(der));
        } catch (GeneralSecurityException e) {
            throw new PkiException(file + " holds a CRL that does not parse: " + e.getMessage(), e);
        }
    }

    private static String read(Path file) {
        if (!Files.isRegularFile(file)) throw new PkiException(file + " does not exist");
        return SecureFiles.readString(file);
    }
}
