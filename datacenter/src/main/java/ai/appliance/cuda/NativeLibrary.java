package ai.appliance.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A shared library of the host bound through Java's FFM API (java.lang.foreign), and typed handles to its functions.
 * The bindings ({@link CudaDriver}, {@link Nvrtc}, {@link Nvml}) take one of these, so tests can hand them a library
 * of Java upcall stubs instead of NVIDIA's.
 */
public final class NativeLibrary {

    private static final Linker LINKER = Linker.nativeLinker();

    private final String name;
    private final SymbolLookup symbols;

    /** @param name what messages call the library, e.g. {@code libcuda.so.1} */
    public NativeLibrary(String name, SymbolLookup symbols) {
        this.name = name;
        this.symbols = symbols;
    }

    /**
     * The first candidate the dynamic loader opens. A bare file name goes through dlopen's own search
     * (LD_LIBRARY_PATH, the ld.so cache, the default folders), a name with a slash is opened as that path. Opened
     * libraries are never unloaded: the driver libraries keep process-wide state and must not be dlclose'd under it.
     */
    public static Optional<NativeLibrary> open(List<String> candidates) {
        for (var candidate : candidates) {
            try {
                var lookup = candidate.contains("/")
                        ? SymbolLookup.libraryLookup(Path.of(candidate), Arena.global())
                        : SymbolLookup.libraryLookup(candidate, Arena.global());
                return Optional.of(new NativeLibrary(candidate, lookup));
            } catch (IllegalArgumentException e) {
                // not on this host: try the next candidate
            }
        }
        return Optional.empty();
    }

    public String name() {
        return name;
    }

    /**
     * A downcall handle to {@code symbol} with the C signature {@code descriptor}.
     *
     * @throws CudaException when the library does not export it (a driver older than the API this binding uses)
     */
    public MethodHandle function(String symbol, FunctionDescriptor descriptor) {
        var address = symbols.find(symbol).orElseThrow(() -> new CudaException(symbol, CudaException.NO_STATUS,
                name + " has no function " + symbol + ": the library is older than this binding needs"));
        return LINKER.downcallHandle(address, descriptor);
    }

    /** Calls a function whose C return type is a status int (CUresult, nvmlReturn_t, nvrtcResult). */
    static int status(MethodHandle function, Object... arguments) {
        try {
            return (int) function.invokeWithArguments(arguments);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * Calls a {@code const char* f(int)} that describes a status code (nvmlErrorString, nvrtcGetErrorString); null
     * when it returns NULL or fails, since it only adds words to an error already being reported.
     */
    static String describe(MethodHandle errorString, int code) {
        try {
            return string((MemorySegment) errorString.invokeExact(code));
        } catch (Throwable t) {
            return null;
        }
    }

    /** The NUL-terminated string a C {@code const char*} points at; null for NULL. */
    static String string(MemorySegment pointer) {
        return pointer.equals(MemorySegment.NULL) ? null : pointer.reinterpret(Long.MAX_VALUE).getString(0);
    }
}
