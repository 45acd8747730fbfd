package ai.appliance.provisioning.cli;

import ai.appliance.provisioning.pki.DeviceIdentity;
import ai.appliance.provisioning.pki.FleetCa;
import ai.appliance.provisioning.pki.PkiFiles;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

@Command(name = "ca", mixinStandardHelpOptions = true, description = "The fleet certificate authority (EC P-256).",
        subcommands = {CaCommand.Init.class, CaCommand.Sign.class, CaCommand.Revoke.class, CaCommand.Crl.class})
final class CaCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "init", mixinStandardHelpOptions = true, description = "Create the fleet CA key, certificate, CRL.")
    static final class Init extends ProvisionStep {
        @Option(names = "--ca-dir", required = true, description = "Folder for the CA (keep it offline).")
        Path caDir;

        @Option(names = "--name", defaultValue = "Appliance Fleet CA", description = "CA common name.")
        String name;

        @Override
        protected int execute() {
            var ca = FleetCa.init(caDir, name, Clock.systemUTC());
            out().printf("fleet CA %s valid until %s in %s%n", ca.certificate().getSubjectX500Principal().getName(),
                    ca.certificate().getNotAfter().toInstant(), caDir);
            return 0;
        }
    }

    @Command(name = "sign", mixinStandardHelpOptions = true,
            description = "Sign a device CSR made on the device (`provision enroll --csr-only`).")
    static final class Sign extends ProvisionStep {
        @Option(names = "--ca-dir", required = true) Path caDir;
        @Option(names = "--csr", required = true, description = "PKCS#10 PEM.") Path csr;
        @Option(names = "--out", required = true, description = "Certificate chain PEM to write.") Path out;

        @Override
        protected int execute() {
            var ca = FleetCa.load(caDir, Clock.systemUTC());
            var cert = ca.sign(DeviceIdentity.readCsr(csr));
            PkiFiles.writeCertificates(out, List.of(cert, ca.certificate()));
            out().printf("issued %s serial %s until %s%n", cert.getSubjectX500Principal().getName(),
                    cert.getSerialNumber().toString(16), cert.getNotAfter().toInstant());
            return 0;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke a device certificate (CRL).")
    static final class Revoke extends ProvisionStep {
        @Option(names = "--ca-dir", required = true) Path caDir;
        @Option(names = "--cert", description = "The certificate to revoke (PEM).") Path cert;
        @Option(names = "--serial", description = "Or its serial number in hex.") String serial;

        @Override
        protected int execute() {
            if ((cert == null) == (serial == null)) throw new IllegalArgumentException("give --cert or --serial");
            var number = cert != null ? PkiFiles.readCertificate(cert).getSerialNumber() : new BigInteger(serial, 16);
            var crl = FleetCa.load(caDir, Clock.systemUTC()).revoke(number);
            out().printf("revoked %s; %s now lists %d certificate(s); distribute it to devices and servers%n",
                    number.toString(16), FleetCa.crlFile(caDir), crl.getRevokedCertificates().size());
            return 0;
        }
    }

    @Command(name = "crl", mixinStandardHelpOptions = true,
            description = "Re-sign the CRL with a fresh next-update (run at least every 30 days).")
    static final class Crl extends ProvisionStep {
        @Option(names = "--ca-dir", required = true) Path caDir;

        @Override
        protected int execute() {
            var crl = FleetCa.load(caDir, Clock.systemUTC()).refreshCrl();
            out().printf("%s next update %s%n", FleetCa.crlFile(caDir), crl.getNextUpdate().toInstant());
            return 0;
        }
    }
}
