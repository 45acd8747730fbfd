package ai.appliance.provisioning.pki;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * tls.yaml: what the HTTPS server and the MQTT client read to set up TLS / mTLS. File names are relative to the
 * folder of tls.yaml; {@link #resolve(Path)} makes them absolute. docs/provisioning.md documents every field.
 *
 * @param notAfter ISO-8601 instant the certificate expires; {@code renewAfter} when renewal is due (30 days before)
 * @param clientAuth {@code required} (mTLS: the server demands a fleet certificate from clients) or {@code none}
 */
public record TlsSettings(
        int formatVersion,
        String deviceId,
        String profile,
        String certificateChain,
        String privateKey,
        String trustBundle,
        String crl,
        String clientAuth,
        List<String> protocols,
        String notAfter,
        String renewAfter) {

    public static final String FILE_NAME = "tls.yaml";
    public static final int FORMAT_VERSION = 1;

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES))
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public static TlsSettings read(Path file) {
        try {
            var settings = YAML.readValue(Files.readAllBytes(file), TlsSettings.class);
            if (settings.formatVersion != FORMAT_VERSION) {
                throw new PkiException(file + ": formatVersion " + settings.formatVersion + " is not supported (want "
                        + FORMAT_VERSION + ")");
            }
            return settings.resolve(file.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new PkiException("cannot read TLS settings " + file + ": " + e.getMessage(), e);
        }
    }

    public void write(Path file) {
        try {
            SecureFiles.writePublic(file, "# Written by `appliance provision enroll|renew`; read by the server and the"
                    + " MQTT client.\n# Paths are relative to this file. See docs/provisioning.md.\n"
                    + YAML.writeValueAsString(this));
        } catch (IOException e) {
            throw new PkiException("cannot write TLS settings " + file + ": " + e.getMessage(), e);
        }
    }

    /** The same settings with every file name made absolute against {@code base}. */
    public TlsSettings resolve(Path base) {
        return new TlsSettings(formatVersion, deviceId, profile, abs(base, certificateChain), abs(base, privateKey),
                abs(base, trustBundle), crl == null ? null : abs(base, crl), clientAuth, protocols, notAfter,
                renewAfter);
    }

    private static String abs(Path base, String name) {
        return base.resolve(name).toAbsolutePath().normalize().toString();
    }

    public boolean mutualTls() {
        return "required".equalsIgnoreCase(clientAuth);
    }
}
