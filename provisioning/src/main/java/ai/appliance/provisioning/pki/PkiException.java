package ai.appliance.provisioning.pki;

/** A key, certificate, CSR or CRL problem an operator can act on; the message names the file and the problem. */
public class PkiException extends RuntimeException {
    public PkiException(String message) {
        super(message);
    }

    public PkiException(String message, Throwable cause) {
        super(message, cause);
    }
}
