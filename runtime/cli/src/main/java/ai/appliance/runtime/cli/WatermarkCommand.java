package ai.appliance.runtime.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code appliance watermark ...}: the key that marks generated text, and detection of the mark. */
@Command(name = "watermark", mixinStandardHelpOptions = true,
        description = {"Watermarked generation (serve's watermark settings, run --watermark-key-file): make a key,"
                + " or test a text for the mark."},
        subcommands = {WatermarkKeygenCommand.class, WatermarkDetectCommand.class})
public final class WatermarkCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
