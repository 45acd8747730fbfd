package ai.appliance.provisioning.pki;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class FleetPkiTest {

    private static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");

    @TempDir
    Path tmp;

    private static Clock at(Instant instant) {
        return Clock.fixed(instant, ZoneOffset.UTC);
    }

    private static Clock system() {
        return Clock.systemUTC();
    }

    @Test
    void enrollIssuesA90DayCertificateCarryingIdAndProfileWithAPrivateKeyFile() throws Exception {
        var ca = FleetCa.init(tmp.resolve("ca"), "Test Fleet CA", at(NOW));
        var device = new DeviceCredentials(tmp.resolve("device"));
        var cert = device.enroll(ca, "press-line-7", "edge", List.of("press-line-7.local"), List.of("127.0.0.1"));

        assertEquals(NOW.plus(Duration.ofDays(90)), cert.getNotAfter().toInstant());
        assertTrue(cert.getSubjectX500Principal().getName().contains("CN=press-line-7"));
        assertTrue(cert.getSubjectX500Principal().getName().contains("OU=edge"));
        cert.verify(ca.certificate().getPublicKey());
        assertEquals(List.of("serverAuth", "clientAuth").size(), cert.getExtendedKeyUsage().size());
        assertEquals(List.of("press-line-7", "press-line-7.local"), SubjectNames.of(cert).dns());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(device.keyFile())));
        assertEquals("rw-------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(FleetCa.keyFile(tmp.resolve("ca")))));

        var settings = TlsSettings.read(device.settingsFile());
        assertEquals("press-line-7", settings.deviceId());
        assertEquals("edge", settings.profile());
        assertEquals(NOW.plus(Duration.ofDays(60)).toString(), settings.renewAfter());
        assertTrue(Path.of(settings.privateKey()).isAbsolute());
    }

    @Test
    void caRefusesToOverwriteAnExistingCa() {
        FleetCa.init(tmp.resolve("ca"), "A", at(NOW));
        var e = assertThrows(PkiException.class, () -> FleetCa.init(tmp.resolve("ca"), "B", at(NOW)));
        assertTrue(e.getMessage().contains("ca-key.pem already exists"), e.getMessage());
    }

    @Test
    void renewalWaitsUntilUnder30DaysRemainThenKeepsKeyAndIdentity() {
        var caDir = tmp.resolve("ca");
        FleetCa.init(caDir, "Fleet", at(NOW));
        var device = new DeviceCredentials(tmp.resolve("device"));
        var first = device.enroll(FleetCa.load(caDir, at(NOW)), "kiosk-3", "dev", List.of(), List.of());

        var day59 = at(NOW.plus(Duration.ofDays(59)));
        var notDue = device.renew(FleetCa.load(caDir, day59), day59, false);
        assertInstanceOf(DeviceCredentials.NotDue.class, notDue);
        assertEquals(Duration.ofDays(31), ((DeviceCredentials.NotDue) notDue).remaining());

        var day61 = at(NOW.plus(Duration.ofDays(61)));
        var renewed = assertInstanceOf(DeviceCredentials.Renewed.class,
                device.renew(FleetCa.load(caDir, day61), day61, false)).certificate();
        assertEquals(NOW.plus(Duration.ofDays(61 + 90)), renewed.getNotAfter().toInstant());
        assertEquals(first.getPublicKey(), renewed.getPublicKey());
        assertEquals(first.getSubjectX500Principal(), renewed.getSubjectX500Principal());
        assertNotEquals(first.getSerialNumber(), renewed.getSerialNumber());
        assertEquals(renewed, device.certificate());
    }

    @Test
    void mutualTlsHandshakeWithIssuedCertificatesSucceedsAfterEnrollAndRenew() throws Exception {
        var caDir = tmp.resolve("ca");
        var ca = FleetCa.init(caDir, "Fleet", system());
        var server = new DeviceCredentials(tmp.resolve("server"));
        var client = new DeviceCredentials(tmp.resolve("client"));
        server.enroll(ca, "gateway-1", "production", List.of("localhost"), List.of("127.0.0.1"));
        client.enroll(ca, "sensor-9", "edge", List.of(), List.of());
        assertTrue(handshake(server, client).succeeded());

        // A forced renewal gives both a new certificate on the same key; TLS still works with the new files.
        server.renew(ca, system(), true);
        client.renew(ca, system(), true);
        var outcome = handshake(server, client);
        assertTrue(outcome.succeeded(), () -> "client " + outcome.clientError() + " server " + outcome.serverError());
    }

    @Test
    void clientWithCertificateFromAnotherCaIsRefused() throws Exception {
        var ca = FleetCa.init(tmp.resolve("ca"), "Fleet", system());
        var rogueCa = FleetCa.init(tmp.resolve("rogue"), "Rogue", system());
        var server = new DeviceCredentials(tmp.resolve("server"));
        var intruder = new DeviceCredentials(tmp.resolve("intruder"));
        server.enroll(ca, "gateway-1", "production", List.of(), List.of());
        intruder.enroll(rogueCa, "gateway-1", "production", List.of(), List.of());
        // The intruder trusts our CA (it copied the bundle) so only the server's check can stop it.
        Files.copy(server.trustBundleFile(), intruder.trustBundleFile(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.copy(server.crlFile(), intruder.crlFile(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        var outcome = handshake(server, intruder);
        assertFalse(outcome.serverOk(), "server accepted a certificate from an untrusted CA");
        assertFalse(outcome.clientOk());
    }

    @Test
    void serverWithUntrustedCertificateIsRefusedByTheClient() throws Exception {
        var ca = FleetCa.init(tmp.resolve("ca"), "Fleet", system());
        var rogueCa = FleetCa.init(tmp.resolve("rogue"), "Rogue", system());
        var impostor = new DeviceCredentials(tmp.resolve("impostor"));
        var client = new DeviceCredentials(tmp.resolve("client"));
        impostor.enroll(rogueCa, "gateway-1", "production", List.of(), List.of());
        client.enroll(ca, "sensor-9", "edge", List.of(), List.of());
        Files.copy(client.trustBundleFile(), impostor.trustBundleFile(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.copy(client.crlFile(), impostor.crlFile(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        var outcome = handshake(impostor, client);
        assertFalse(outcome.clientOk(), "client accepted a server certificate from an untrusted CA");
    }

    @Test
    void expiredClientCertificateIsRefused() throws Exception {
        var ca = FleetCa.init(tmp.resolve("ca"), "Fleet", system());
        var server = new DeviceCredentials(tmp.resolve("server"));
        server.enroll(ca, "gateway-1", "production", List.of(), List.of());
        var stale = new DeviceCredentials(tmp.resolve("stale"));
        stale.enroll(ca, "sensor-9", "edge", List.of(), List.of());
        // Re-issue the same CSR for a window that ended yesterday.
        var csr = DeviceIdentity.readCsr(stale.csrFile());
        var expired = ca.sign(csr, Instant.now().minus(Duration.ofDays(91)), Duration.ofDays(90));
        PkiFiles.writeCertificates(stale.certificateFile(), List.of(expired, ca.certificate()));

        var outcome = handshake(server, stale);
        assertFalse(outcome.serverOk(), "server accepted an expired client certificate");
    }

    @Test
    void revokedClientCertificateIsRefusedOnceTheServerHasTheNewCrl() throws Exception {
        var ca = FleetCa.init(tmp.resolve("ca"), "Fleet", system());
        var server = new DeviceCredentials(tmp.resolve("server"));
        var client = new DeviceCredentials(tmp.resolve("client"));
        server.enroll(ca, "gateway-1", "production", List.of(), List.of());
        var lost = client.enroll(ca, "sensor-9", "edge", List.of(), List.of());
        assertTrue(handshake(server, client).succeeded());

        var crl = ca.revoke(lost.getSerialNumber());
        assertTrue(crl.isRevoked(lost));
        PkiFiles.writeCrl(server.crlFile(), crl);
        var outcome = handshake(server, client);
        assertFalse(outcome.serverOk(), "server accepted a revoked client certificate");
    }

    @Test
    void csrWithTamperedSignatureIsRefusedByTheCa() throws Exception {
        var ca = FleetCa.init(tmp.resolve("ca"), "Fleet", system());
        var csr = DeviceIdentity.csr(EcKeys.generate(), "cam-1", "edge", List.of(), List.of());
        var der = csr.getEncoded();
        der[der.length - 5] ^= 0x01;
        var tampered = new org.bouncycastle.pkcs.PKCS10CertificationRequest(der);
        var e = assertThrows(PkiException.class, () -> ca.sign(tampered));
        assertTrue(e.getMessage().contains("cam-1"), e.getMessage());
    }

    @Test
    void invalidDeviceIdIsRefusedWithAReadableMessage() {
        var e = assertThrows(PkiException.class,
                () -> DeviceIdentity.csr(EcKeys.generate(), "Bad Id/..", "edge", List.of(), List.of()));
        assertTrue(e.getMessage().contains("device id 'Bad Id/..' is not valid"), e.getMessage());
    }

    private static LoopbackTls.Outcome handshake(DeviceCredentials server, DeviceCredentials client) throws Exception {
        var serverSettings = TlsSettings.read(server.settingsFile());
        var clientSettings = TlsSettings.read(client.settingsFile());
        return LoopbackTls.handshake(TlsContexts.create(serverSettings), TlsContexts.parameters(serverSettings, true),
                TlsContexts.create(clientSettings), TlsContexts.parameters(clientSettings, false));
    }
}
