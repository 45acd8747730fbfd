package ai.appliance.runtime.mqtt.broker;

import ai.appliance.provisioning.pki.PkiFiles;
import ai.appliance.provisioning.pki.SecureFiles;
import ai.appliance.provisioning.pki.TlsSettings;
import ai.appliance.runtime.security.TlsSetup;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.Base64;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.TransformerException;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * The folders HiveMQ reads under {@code mqtt.embedded.data-dir}: {@code conf/config.xml}, written afresh at every
 * start from the appliance's settings (listeners, packet size, no usage statistics), {@code data/} (sessions,
 * queued messages and retained messages, kept across restarts) and an empty {@code extensions/} (our extension is
 * registered in code). HiveMQ takes TLS key material only as keystore files: the listener's PEM certificate and key
 * and the fleet trust bundle are copied into PKCS#12 files beside config.xml (owner-only, a fresh random password
 * each start, in config.xml, also owner-only).
 */
final class HiveMqFolders {

    /** Keystore passwords: never typed by anyone, so long and random. */
    private static final SecureRandom RANDOM = new SecureRandom();

    final Path config;
    final Path data;
    final Path extensions;

    private HiveMqFolders(Path root) {
        this.config = root.resolve("conf");
        this.data = root.resolve("data");
        this.extensions = root.resolve("extensions");
    }

    /** Creates the folders and writes config.xml (and the keystores when {@code tls} is set). */
    static HiveMqFolders write(Path root, String host, int port, TlsSettings tls, int tlsPort, int maxPacketBytes) {
        var folders = new HiveMqFolders(root);
        try {
            for (var dir : new Path[] {root, folders.config, folders.data, folders.extensions}) {
                Files.createDirectories(dir);
            }
            var document = DocumentBuilderFactory.newInstance().newDocumentBuilder().newDocument();
            var hivemq = add(document, document, "hivemq");
            var listeners = add(document, hivemq, "listeners");
            var plain = add(document, listeners, "tcp-listener");
            text(document, plain, "port", Integer.toString(port));
            text(document, plain, "bind-address", host);
            text(document, plain, "name", "plain");
            if (tls != null) {
                folders.tlsListener(document, add(document, listeners, "tls-tcp-listener"), host, tls, tlsPort);
            }
            var mqtt = add(document, hivemq, "mqtt");
            text(document, add(document, mqtt, "packets"), "max-packet-size", Integer.toString(maxPacketBytes));
            // mosquitto_pub and many small devices leave the client id to the broker (MQTT 3.1.1 §3.1.3.1).
            var security = add(document, hivemq, "security");
            text(document, add(document, security, "allow-empty-client-id"), "enabled", "true");
            // HiveMQ CE reports usage to its vendor by default; an appliance phones nobody.
            text(document, add(document, hivemq, "anonymous-usage-statistics"), "enabled", "false");
            text(document, add(document, hivemq, "persistence"), "mode", "file");
            SecureFiles.writePrivate(folders.config.resolve("config.xml"), xml(document));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the MQTT broker's files under " + root + ": " + e.getMessage(), e);
        } catch (ParserConfigurationException | TransformerException e) {
            throw new IllegalStateException("cannot write the MQTT broker's config.xml: " + e.getMessage(), e);
        }
        return folders;
    }

    private void tlsListener(Document document, Element listener, String host, TlsSettings tls, int tlsPort) {
        text(document, listener, "port", Integer.toString(tlsPort));
        text(document, listener, "bind-address", host);
        text(document, listener, "name", "tls");
        var settings = add(document, listener, "tls");
        var keyPassword = password(24);
        var keystore = add(document, settings, "keystore");
        text(document, keystore, "path", keyStore(tls, keyPassword).toString());
        text(document, keystore, "password", keyPassword);
        text(document, keystore, "private-key-password", keyPassword);
        var trustPassword = password(24);
        var truststore = add(document, settings, "truststore");
        text(document, truststore, "path", trustStore(tls, trustPassword).toString());
        text(document, truststore, "password", trustPassword);
        var protocols = add(document, settings, "protocols");
        for (var protocol : tls.protocols() == null || tls.protocols().isEmpty() ? TlsSetup.PROTOCOLS : tls.protocols()) {
            text(document, protocols, "protocol", protocol);
        }
        // Optional unless tls.yaml demands mTLS: a device without a certificate may still log in with an API key
        // over TLS. The CRL is checked by the authenticator at CONNECT (ClientCertificateCheck), not here.
        text(document, settings, "client-authentication-mode", tls.mutualTls() ? "REQUIRED"
                : "none".equalsIgnoreCase(tls.clientAuth()) ? "NONE" : "OPTIONAL");
    }

    private Path keyStore(TlsSettings tls, String password) {
        var chain = PkiFiles.readCertificates(Path.of(tls.certificateChain()));
        var key = PkiFiles.readPrivateKey(Path.of(tls.privateKey()), "EC");
        return store(config.resolve("listener-key.p12"), password,
                store -> store.setKeyEntry("listener", key, password.toCharArray(), chain.toArray(X509Certificate[]::new)));
    }

    private Path trustStore(TlsSettings tls, String password) {
        var anchors = PkiFiles.readCertificates(Path.of(tls.trustBundle()));
        return store(config.resolve("listener-trust.p12"), password, store -> {
            for (int i = 0; i < anchors.size(); i++) {
                store.setCertificateEntry("fleet-ca-" + i, anchors.get(i));
            }
        });
    }

    private interface Fill {
        void into(KeyStore store) throws GeneralSecurityException;
    }

    private static Path store(Path file, String password, Fill fill) {
        try {
            var store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            fill.into(store);
            var bytes = new ByteArrayOutputStream();
            store.store(bytes, password.toCharArray());
            SecureFiles.writePrivate(file, bytes.toByteArray());
            return file.toAbsolutePath();
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot write the MQTT broker's keystore " + file + ": " + e.getMessage(), e);
        }
    }

    /** A random password of {@code bytes} random bytes, URL-safe Base64 without padding. */
    static String password(int bytes) {
        var random = new byte[bytes];
        RANDOM.nextBytes(random);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }

    private static Element add(Document document, org.w3c.dom.Node parent, String name) {
        var element = document.createElement(name);
        parent.appendChild(element);
        return element;
    }

    private static void text(Document document, Element parent, String name, String value) {
        add(document, parent, name).setTextContent(value);
    }

    private static byte[] xml(Document document) throws TransformerException {
        var transformer = TransformerFactory.newInstance().newTransformer();
        transformer.setOutputProperty(OutputKeys.INDENT, "yes");
        var out = new StringWriter();
        transformer.transform(new DOMSource(document), new StreamResult(out));
        return out.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}
