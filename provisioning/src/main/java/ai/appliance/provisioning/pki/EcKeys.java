package ai.appliance.provisioning.pki;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;

/** EC P-256 (secp256r1): the curve of the fleet CA, device identities and the data-key wrap. */
public final class EcKeys {

    public static final String CURVE = "secp256r1";
    public static final String SIGNATURE = "SHA256withECDSA";

    private EcKeys() {
    }

    public static KeyPair generate() {
        try {
            var generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec(CURVE));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot make EC P-256 keys", e);
        }
    }

    /** P-256 has a 256-bit order; a key of any other size is not one of ours. */
    public static void requireP256(PublicKey key, String what) {
        if (!(key instanceof ECPublicKey ec) || ec.getParams().getOrder().bitLength() != 256) {
            throw new PkiException(what + " must be an EC P-256 key, got " + key.getAlgorithm());
        }
    }
}
