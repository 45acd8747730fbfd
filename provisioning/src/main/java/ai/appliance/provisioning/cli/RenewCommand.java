package ai.appliance.provisioning.cli;

import ai.appliance.provisioning.pki.DeviceCredentials;
import ai.appliance.provisioning.pki.FleetCa;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Clock;

@Command(name = "renew", mixinStandardHelpOptions = true,
        description = "Renew the device certificate (same key and identity) when under 30 days remain.")
final class RenewCommand extends ProvisionStep {

    @Option(names = "--device-dir", required = true) Path deviceDir;
    @Option(names = "--ca-dir", required = true) Path caDir;
    @Option(names = "--force", description = "Renew even when more than 30 days remain.") boolean force;

    @Override
    protected int execute() {
        var clock = Clock.systemUTC();
        var outcome = new DeviceCredentials(deviceDir).renew(FleetCa.load(caDir, clock), clock, force);
        switch (outcome) {
            case DeviceCredentials.Renewed r -> out().printf("renewed: valid until %s%n",
                    r.certificate().getNotAfter().toInstant());
            case DeviceCredentials.NotDue n -> out().printf("not due: %d days remain (renewal starts at 30)%n",
                    n.remaining().toDays());
        }
        return 0;
    }
}
