package ai.appliance.runtime.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code ./appliance}: every command of every module hangs under this one. */
@Command(name = "appliance", mixinStandardHelpOptions = true, version = "appliance 0.1.0",
        description = "Edge and hybrid LLM appliance runtime.",
        subcommands = {CommandLine.HelpCommand.class,
                ai.appliance.runtime.tokenizer.TokenizeCommand.class,
                ai.appliance.runtime.chat.TemplateCommand.class,
                RunCommand.class, LogitsCommand.class, BenchCommand.class,
                QuantizeCommand.class, SynthCommand.class, InspectCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(newCommandLine().execute(args));
    }

    /** The command tree, wired explicitly so tests can run commands in-process. */
    public static CommandLine newCommandLine() {
        return new CommandLine(new Main());
    }
}
