package ai.appliance.runtime.mqtt.broker;

import ai.appliance.runtime.api.ApiException;
import ai.appliance.runtime.mqtt.MqttDevice;
import ai.appliance.runtime.security.AccessControl;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Optional;

/**
 * Who may connect to the embedded broker, decided from what a CONNECT presents, in this order: the gateway's own
 * login; a fleet client certificate (TLS listener: chain and CRL checked, role from
 * {@code security.client-certificates}); a user name and an API key as password (the key's name must be the user
 * name: it becomes the device id); no credentials at all, which only an anonymous listener accepts. Wrong
 * credentials are refused even where anonymous clients are allowed: a device that meant to authenticate must
 * learn that it did not.
 */
final class ConnectPolicy {

    /** What the broker does with a connection. */
    sealed interface Admission permits Gateway, Anonymous, Device, Refused { }

    /** The appliance's own gateway: every topic. */
    record Gateway() implements Admission { }

    /** No credentials, on a listener that allows that (loopback): no topic restrictions, no identity. */
    record Anonymous() implements Admission { }

    /** An authenticated device: its topics only, its identity stamped on what it publishes. */
    record Device(MqttDevice device) implements Admission { }

    /** @param badCredentials the credentials were wrong (else: missing or not allowed) */
    record Refused(boolean badCredentials, String reason) implements Admission { }

    /** What a CONNECT presents; {@code chain} is what the TLS handshake received (not yet checked against the CRL). */
    record Presented(Optional<X509Certificate[]> chain, Optional<String> username, Optional<byte[]> password) { }

    static final String GATEWAY_USER = "appliance-gateway";

    private final AccessControl access;
    private final ClientCertificateCheck certificates;
    private final boolean allowAnonymous;
    private final byte[] gatewayPassword;
    private final String howToAuthenticate;

    /**
     * @param certificates null when the broker has no TLS listener
     * @param tlsPort      for the refusal message, or -1
     */
    ConnectPolicy(AccessControl access, ClientCertificateCheck certificates, boolean allowAnonymous,
                  String gatewayPassword, int tlsPort) {
        this.access = access;
        this.certificates = certificates;
        this.allowAnonymous = allowAnonymous;
        this.gatewayPassword = gatewayPassword.getBytes(StandardCharsets.UTF_8);
        this.howToAuthenticate = "authentication required: connect with user name = API key name and password ="
                + " API key" + (tlsPort > 0 ? ", or with a fleet client certificate on the TLS port " + tlsPort : "");
    }

    Admission decide(Presented connect) {
        if (connect.username().filter(GATEWAY_USER::equals).isPresent()) {
            return connect.password().filter(p -> MessageDigest.isEqual(p, gatewayPassword)).isPresent()
                    ? new Gateway() : new Refused(true, "wrong password for " + GATEWAY_USER);
        }
        if (!access.enabled()) {
            // Security off: nothing to check credentials against (BrokerSettings allows this on loopback only).
            return allowAnonymous ? new Anonymous() : new Refused(false, howToAuthenticate);
        }
        var chain = connect.chain().filter(c -> c.length > 0);
        if (chain.isPresent() && certificates != null) {
            return certificate(chain.get());
        }
        if (connect.password().isPresent()) {
            return apiKey(connect.username(), new String(connect.password().get(), StandardCharsets.UTF_8));
        }
        return allowAnonymous ? new Anonymous() : new Refused(false, howToAuthenticate);
    }

    private Admission certificate(X509Certificate[] chain) {
        try {
            certificates.verify(chain);
        } catch (CertificateException e) {
            return new Refused(true, "the client certificate " + chain[0].getSubjectX500Principal().getName()
                    + " is not accepted: " + innermostMessage(e));
        }
        var id = AccessControl.commonName(chain[0].getSubjectX500Principal());
        if (!MqttDevice.isValidId(id)) {
            return new Refused(true, "the client certificate's common name '" + id + "' cannot be a device id");
        }
        try {
            return new Device(new MqttDevice(id, access.authenticate(null, Optional.of(chain[0]))));
        } catch (ApiException e) {
            return new Refused(false, e.getMessage() + " (security.client-certificates or"
                    + " security.default-certificate-role)");
        }
    }

    /** "Certificate has been revoked, reason: KEY_COMPROMISE" rather than the wrapping exceptions' class names. */
    private static String innermostMessage(Throwable e) {
        var message = e.getMessage();
        for (var cause = e.getCause(); cause != null; cause = cause.getCause()) {
            if (cause.getMessage() != null) {
                message = cause.getMessage();
            }
        }
        return message;
    }

    private Admission apiKey(Optional<String> username, String key) {
        try {
            var principal = access.authenticate(key, Optional.empty());
            if (!username.filter(principal.name()::equals).isPresent()) {
                return new Refused(true, "the user name must be the API key's name");
            }
            if (!MqttDevice.isValidId(principal.name())) {
                return new Refused(true, "the API key's name '" + principal.name() + "' cannot be a device id:"
                        + " it must be one topic level (no '/', '+', '#')");
            }
            return new Device(new MqttDevice(principal.name(), principal));
        } catch (ApiException e) {
            return new Refused(true, "the password is not a valid API key");
        }
    }
}
