package ai.appliance.runtime.backend;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/** Finds backends by name among the {@link BackendProvider}s on the class path. */
public final class Backends {
    /** The backend used when none is named. */
    public static final String DEFAULT = "cpu";

    private Backends() {
    }

    /** Every installed provider by name, in class-path order. */
    public static Map<String, BackendProvider> installed() {
        var map = new LinkedHashMap<String, BackendProvider>();
        for (var p : ServiceLoader.load(BackendProvider.class, Backends.class.getClassLoader())) map.putIfAbsent(p.name(), p);
        return map;
    }

    /**
     * The provider called {@code name} ({@link #DEFAULT} when null or blank).
     *
     * @throws UnknownBackendException when no installed backend has that name, or it cannot run here (saying why)
     */
    public static BackendProvider provider(String name) {
        var wanted = name == null || name.isBlank() ? DEFAULT : name.trim();
        var installed = installed();
        var provider = installed.get(wanted);
        if (provider == null) {
            throw new UnknownBackendException("backend '" + wanted + "' is not installed; installed: " + describe(installed));
        }
        var reason = provider.unavailableReason();
        if (reason != null) throw new UnknownBackendException("backend '" + wanted + "' cannot run on this host: " + reason);
        return provider;
    }

    /** A new backend of the provider called {@code name}. */
    public static Backend open(String name, BackendOptions options) {
        return provider(name).create(options);
    }

    private static String describe(Map<String, BackendProvider> installed) {
        List<String> names = new ArrayList<>();
        installed.forEach((n, p) -> names.add(n + " (" + p.description() + ")"));
        return names.isEmpty() ? "none" : String.join(", ", names);
    }
}
