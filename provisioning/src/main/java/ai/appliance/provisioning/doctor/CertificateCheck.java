package ai.appliance.provisioning.doctor;

import ai.appliance.provisioning.pki.DeviceCredentials;
import ai.appliance.provisioning.pki.PkiException;
import ai.appliance.provisioning.pki.PkiFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Device certificate: dates, chain to the trust bundle, revocation, CRL freshness, key file permissions. */
final class CertificateCheck {

    private CertificateCheck() {
    }

    static List<CheckResult> run(DeviceCredentials device, Clock clock) {
        var results = new ArrayList<CheckResult>();
        try {
            var cert = device.certificate();
            var now = clock.instant();
            var notAfter = cert.getNotAfter().toInstant();
            var subject = cert.getSubjectX500Principal().getName();
            if (now.isBefore(cert.getNotBefore().toInstant())) {
                results.add(CheckResult.fail("certificate", subject + " not valid before "
                        + cert.getNotBefore().toInstant() + ": is the clock behind?"));
            } else if (!now.isBefore(notAfter)) {
                results.add(CheckResult.fail("certificate", subject + " expired " + notAfter
                        + ": run `appliance provision renew`"));
            } else {
                long days = Duration.between(now, notAfter).toDays();
                results.add(days < DeviceCredentials.RENEW_BEFORE.toDays()
                        ? CheckResult.warn("certificate", subject + " expires in " + days
                                + " days: run `appliance provision renew`")
                        : CheckResult.pass("certificate", subject + " valid for " + days + " more days"));
            }
            var bundle = PkiFiles.readCertificates(device.trustBundleFile());
            boolean chained = bundle.stream().anyMatch(ca -> {
                try {
                    cert.verify(ca.getPublicKey());
                    return true;
                } catch (GeneralSecurityException e) {
                    return false;
                }
            });
            results.add(chained ? CheckResult.pass("trust", "certificate chains to " + device.trustBundleFile())
                    : CheckResult.fail("trust", "certificate is not signed by a CA in " + device.trustBundleFile()));
            var crl = PkiFiles.readCrl(device.crlFile());
            if (crl.isRevoked(cert)) {
                results.add(CheckResult.fail("revocation", "this device's certificate is revoked in " + device.crlFile()));
            } else if (crl.getNextUpdate() != null && now.isAfter(crl.getNextUpdate().toInstant())) {
                results.add(CheckResult.fail("revocation", device.crlFile() + " is stale since "
                        + crl.getNextUpdate().toInstant() + ": TLS peers will be refused; fetch a fresh CRL"));
            } else {
                results.add(CheckResult.pass("revocation", "not revoked; CRL fresh until "
                        + (crl.getNextUpdate() == null ? "?" : crl.getNextUpdate().toInstant())));
            }
            results.add(keyPermissions(device));
        } catch (PkiException e) {
            results.add(CheckResult.fail("certificate", e.getMessage()));
        }
        return results;
    }

    private static CheckResult keyPermissions(DeviceCredentials device) {
        try {
            var perms = Files.getPosixFilePermissions(device.keyFile());
            var open = Set.of(PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ,
                    PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE);
            return perms.stream().noneMatch(open::contains)
                    ? CheckResult.pass("device key", device.keyFile() + " is private (0600)")
                    : CheckResult.fail("device key", device.keyFile() + " is readable by others: chmod 600 it");
        } catch (IOException | UnsupportedOperationException e) {
            return CheckResult.warn("device key", "cannot read permissions of " + device.keyFile());
        }
    }
}
