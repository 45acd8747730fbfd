package ai.appliance.provisioning.pki;

import org.bouncycastle.jce.ECNamedCurveTable;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;

/** Recovers the public half of an EC P-256 private key (Q = d x G), for a key file without its certificate. */
final class EcPublicKeys {
    private EcPublicKeys() {
    }

    static PublicKey fromPrivate(PrivateKey key) {
        if (!(key instanceof ECPrivateKey ec)) throw new PkiException("not an EC private key: " + key.getAlgorithm());
        var spec = ECNamedCurveTable.getParameterSpec(EcKeys.CURVE);
        var q = spec.getG().multiply(ec.getS()).normalize();
        var point = new ECPoint(q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger());
        try {
            return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(point, ec.getParams()));
        } catch (GeneralSecurityException e) {
            throw new PkiException("cannot derive the public key: " + e.getMessage(), e);
        }
    }
}
