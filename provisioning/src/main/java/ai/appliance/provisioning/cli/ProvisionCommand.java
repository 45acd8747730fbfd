package ai.appliance.provisioning.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code appliance provision ...}: from a bare box to an enrolled appliance and its deploy artifacts. */
@Command(name = "provision", mixinStandardHelpOptions = true,
        description = "Detect hardware, plan the model, enroll the device, manage keys, encrypt models, render deploys.",
        subcommands = {DetectCommand.class, PlanCommand.class, CaCommand.class, EnrollCommand.class,
                RenewCommand.class, KeysCommand.class, EncryptModelCommand.class, DecryptModelCommand.class,
                RenderCommand.class, ProbeCommand.class})
public final class ProvisionCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
