package ai.appliance.provisioning.cli;

import ai.appliance.provisioning.json.JsonFiles;
import ai.appliance.provisioning.plan.Plan;
import ai.appliance.provisioning.pki.DeviceCredentials;
import ai.appliance.provisioning.pki.DeviceIdentity;
import ai.appliance.provisioning.pki.FleetCa;
import ai.appliance.provisioning.pki.PkiFiles;
import ai.appliance.provisioning.pki.SecureFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

@Command(name = "enroll", mixinStandardHelpOptions = true,
        description = {"Enroll this device: key (0600), CSR with id and profile, 90-day certificate, trust bundle, CRL, "
                + "tls.yaml.",
                "With --ca-dir the CA signs at once; with --csr-only only key and CSR are made (sign them with "
                        + "`provision ca sign`, then run enroll --install CHAIN --trust-bundle B --crl C)."})
final class EnrollCommand extends ProvisionStep {

    @Option(names = "--device-dir", required = true, description = "Folder for the device credentials.")
    Path deviceDir;

    @Option(names = "--device-id", description = "Device id (certificate CN and DNS name): a-z 0-9 . -")
    String deviceId;

    @Option(names = "--profile", description = "dev, edge or production (or give --plan).")
    String profile;

    @Option(names = "--plan", description = "plan.json: its profile goes into the CSR.")
    Path plan;

    @Option(names = "--dns", description = "Extra DNS names for the certificate (repeatable).")
    List<String> dns = new ArrayList<>();

    @Option(names = "--ip", description = "IP addresses for the certificate (repeatable).")
    List<String> ips = new ArrayList<>();

    @Option(names = "--ca-dir", description = "Fleet CA folder: sign right away.")
    Path caDir;

    @Option(names = "--csr-only", description = "Only make the key and device.csr.pem.")
    boolean csrOnly;

    @Option(names = "--install", description = "Install a certificate chain signed by `provision ca sign`.")
    Path install;

    @Option(names = "--trust-bundle", description = "With --install: the fleet trust bundle.")
    Path trustBundle;

    @Option(names = "--crl", description = "With --install: the fleet CRL.")
    Path crl;

    @Option(names = "--store-root", description = "Sync store root: pin the release root key at <store>/trust/root.pub.")
    Path storeRoot;

    @Option(names = "--keys", description = "With --store-root: the `provision keys` folder holding root.pub.")
    Path keys;

    @Override
    protected int execute() {
        var device = new DeviceCredentials(deviceDir);
        if (install != null) {
            if (trustBundle == null || crl == null) throw new IllegalArgumentException("--install needs --trust-bundle and --crl");
            device.install(PkiFiles.readCertificates(install), PkiFiles.readCertificates(trustBundle),
                    PkiFiles.readCrl(crl));
            out().printf("installed %s; TLS settings in %s%n", device.certificateFile(), device.settingsFile());
            pinRoot();
            return 0;
        }
        if (deviceId == null) throw new IllegalArgumentException("--device-id is required");
        var profileName = profile != null ? profile : plan != null ? JsonFiles.read(plan, Plan.class).profile() : null;
        if (profileName == null) throw new IllegalArgumentException("give --profile or --plan");
        if (csrOnly) {
            var csr = DeviceIdentity.csr(device.keyPair(), deviceId, profileName, dns, ips);
            DeviceIdentity.writeCsr(device.csrFile(), csr);
            out().printf("wrote %s and %s (0600); sign the CSR with `provision ca sign`%n", device.keyFile(),
                    device.csrFile());
            return 0;
        }
        if (caDir == null) throw new IllegalArgumentException("give --ca-dir (or --csr-only)");
        var cert = device.enroll(FleetCa.load(caDir, Clock.systemUTC()), deviceId, profileName, dns, ips);
        out().printf("enrolled %s (%s): certificate until %s, renew after %s; TLS settings in %s%n", deviceId,
                profileName, cert.getNotAfter().toInstant(), DeviceCredentials.renewAfter(cert),
                device.settingsFile());
        pinRoot();
        return 0;
    }

    private void pinRoot() {
        if (storeRoot == null) return;
        if (keys == null) throw new IllegalArgumentException("--store-root needs --keys (the release keys folder)");
        var source = keys.resolve("root.pub");
        if (!Files.exists(source)) throw new IllegalArgumentException(source + " does not exist: run `provision keys init`");
        var target = storeRoot.resolve("trust").resolve("root.pub");
        SecureFiles.writePublic(target, SecureFiles.readString(source));
        out().println("pinned release root key at " + target);
    }
}
