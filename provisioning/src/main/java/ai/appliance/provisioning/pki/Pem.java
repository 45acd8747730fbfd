package ai.appliance.provisioning.pki;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;

/** PEM (RFC 7468) text: DER bytes between BEGIN/END lines, base64 wrapped at 64 columns. */
public final class Pem {

    public static final String PRIVATE_KEY = "PRIVATE KEY";
    public static final String PUBLIC_KEY = "PUBLIC KEY";
    public static final String CERTIFICATE = "CERTIFICATE";
    public static final String CERTIFICATE_REQUEST = "CERTIFICATE REQUEST";
    public static final String CRL = "X509 CRL";

    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]*?)-----END \\1-----");

    /** One decoded block. */
    public record Block(String type, byte[] der) {
    }

    private Pem() {
    }

    public static String encode(String type, byte[] der) {
        var body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
    }

    public static List<Block> decodeAll(String text) {
        var blocks = new ArrayList<Block>();
        var m = BLOCK.matcher(text);
        while (m.find()) {
            blocks.add(new Block(m.group(1), Base64.getMimeDecoder().decode(m.group(2))));
        }
        return blocks;
    }

    /** The single block of the given type in a file, or a {@link PkiException} naming the file. */
    public static byte[] decodeOne(String text, String type, Path source) {
        var found = decodeAll(text).stream().filter(b -> b.type().equals(type)).toList();
        if (found.size() != 1) {
            throw new PkiException(source + ": expected exactly one PEM block '" + type + "', found " + found.size());
        }
        return found.getFirst().der();
    }
}
