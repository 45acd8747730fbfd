package ai.appliance.runtime.backend;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.logging.Logger;

/** Finds backends by name among the {@link BackendProvider}s on the class path. */
public final class Backends {
    /** The backend used when none is named. */
    public static final String DEFAULT = "cpu";
    /**
     * Not a provider but a choice: the first installed provider other than {@link #DEFAULT} that can run here, else
     * {@link #DEFAULT}. One INFO line says what was chosen and why every GPU provider before it was skipped, so a box
     * that silently runs on the CPU can be diagnosed from its log.
     */
    public static final String AUTO = "auto";

    private static final Logger LOG = Logger.getLogger(Backends.class.getName());

    private Backends() {
    }

    /** Every installed provider by name, in class-path order. */
    public static Map<String, BackendProvider> installed() {
        var map = new LinkedHashMap<String, BackendProvider>();
        for (var p : ServiceLoader.load(BackendProvider.class, Backends.class.getClassLoader())) map.putIfAbsent(p.name(), p);
        return map;
    }

    /**
     * The provider called {@code name} ({@link #DEFAULT} when null or blank; {@link #AUTO} chooses one).
     *
     * @throws UnknownBackendException when no installed backend has that name, or it cannot run here (saying why)
     */
    public static BackendProvider provider(String name) {
        var wanted = name == null || name.isBlank() ? DEFAULT : name.trim();
        var installed = installed();
        if (wanted.equals(AUTO)) {
            var choice = choose(installed.values());
            LOG.info(choice.why());
            return choice.provider();
        }
        var provider = installed.get(wanted);
        if (provider == null) {
            throw new UnknownBackendException("backend '" + wanted + "' is not installed; installed: " + describe(installed)
                    + "; or '" + AUTO + "' for the first that can run here");
        }
        var reason = provider.unavailableReason();
        if (reason != null) throw new UnknownBackendException("backend '" + wanted + "' cannot run on this host: " + reason);
        return provider;
    }

    /** A new backend of the provider called {@code name}. */
    public static Backend open(String name, BackendOptions options) {
        return provider(name).create(options);
    }

    /** What {@link #AUTO} chose, and the one log line that says why. */
    record Choice(BackendProvider provider, String why) {
    }

    /**
     * {@link #AUTO} over an explicit provider list (class-path order): the first non-{@link #DEFAULT} provider whose
     * {@link BackendProvider#unavailableReason()} is null, else the {@link #DEFAULT} one.
     */
    static Choice choose(Collection<BackendProvider> providers) {
        BackendProvider fallback = null;
        var skipped = new ArrayList<String>();
        for (var p : providers) {
            if (p.name().equals(DEFAULT)) {
                fallback = p;
                continue;
            }
            var reason = reasonOf(p);
            if (reason == null) {
                return new Choice(p, "using " + p.name() + " (" + p.description() + ")"
                        + (skipped.isEmpty() ? "" : "; skipped " + String.join("; ", skipped)));
            }
            skipped.add(p.name() + ": " + reason);
        }
        if (fallback == null) {
            throw new UnknownBackendException("backend '" + AUTO + "' found no backend that can run here and no '"
                    + DEFAULT + "' backend" + (skipped.isEmpty() ? "" : " (" + String.join("; ", skipped) + ")"));
        }
        return new Choice(fallback, (skipped.isEmpty() ? "no GPU backend installed"
                : "no GPU backend can run here (" + String.join("; ", skipped) + ")") + ": using " + fallback.name());
    }

    /**
     * The provider's reason, where one that breaks its contract and throws (a native library that fails to link)
     * counts as unavailable instead of taking the automatic choice down with it.
     */
    private static String reasonOf(BackendProvider p) {
        try {
            return p.unavailableReason();
        } catch (RuntimeException | LinkageError e) {
            return "probe failed: " + e;
        }
    }

    private static String describe(Map<String, BackendProvider> installed) {
        List<String> names = new ArrayList<>();
        installed.forEach((n, p) -> names.add(n + " (" + p.description() + ")"));
        return names.isEmpty() ? "none" : String.join(", ", names);
    }
}
