package ai.appliance.runtime.cli;

import ai.appliance.runtime.security.Role;
import ai.appliance.runtime.security.ApiKeyStore;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code appliance apikey}: makes a new random API key and prints the config entry holding only its hash. */
@Command(name = "apikey", mixinStandardHelpOptions = true,
        description = "Create an API key: prints the key once (give it to the client) and the security.api-keys "
                + "entry with its SHA-256 hash (put that in the serve config).")
public final class ApiKeyCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--name", required = true, description = "who the key is for (appears in the audit log)")
    String name;

    @Option(names = "--role", defaultValue = "user", description = "admin, developer, user or auditor (default ${DEFAULT-VALUE})")
    String role;

    @Override
    public Integer call() {
        Role parsed;
        try {
            parsed = Role.parse(role, "--role");
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("apikey: " + e.getMessage());
            return 2;
        }
        var bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        var key = "sk-appl-" + HexFormat.of().formatHex(bytes);
        var out = spec.commandLine().getOut();
        out.println("key (shown once): " + key);
        out.println("config entry:");
        out.println("  - name: " + name);
        out.println("    role: " + parsed.name().toLowerCase(Locale.ROOT));
        out.println("    hash: sha256:" + ApiKeyStore.sha256Hex(key));
        return 0;
    }
}
