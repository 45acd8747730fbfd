package ai.appliance.datacenter;

import ai.appliance.cuda.CudaContext;
import ai.appliance.cuda.Nvrtc;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The backends' kernels ({@code kernels.cu}), compiled by NVRTC for the GPU found and loaded into its context. The
 * CUBIN is cached on disk under a key of the source, the target architecture and the NVRTC version, so a box compiles
 * once (about a second) and starts from the cache afterwards; a cache that cannot be written costs only that second.
 */
public final class CudaKernels {
    private static final Logger LOG = Logger.getLogger(CudaKernels.class.getName());
    static final String SOURCE = "kernels.cu";
    /** Exact IEEE arithmetic (no fast math, denormals kept): the CPU backend's numbers are the reference. */
    static final List<String> OPTIONS = List.of("--std=c++17", "-default-device", "--fmad=true");

    private final CudaContext context;
    private final MemorySegment module;
    private final Map<String, MemorySegment> functions = new HashMap<>();

    private CudaKernels(CudaContext context, MemorySegment module) {
        this.context = context;
        this.module = module;
    }

    /** Compiles (or takes from {@code cacheFolder}) the kernels for {@code architecture}, e.g. "sm_90", and loads them. */
    public static CudaKernels load(CudaContext context, Nvrtc nvrtc, String architecture, Path cacheFolder) {
        var source = source();
        var key = key(source, architecture, nvrtc.version().toString());
        var cached = cacheFolder == null ? null : cacheFolder.resolve("kernels-" + architecture + "-" + key + ".cubin");
        byte[] image = null;
        if (cached != null && Files.isRegularFile(cached)) {
            try {
                image = Files.readAllBytes(cached);
            } catch (IOException e) {
                LOG.warning("cannot read cached kernels " + cached + ": " + e.getMessage() + "; compiling again");
            }
        }
        if (image == null) {
            long start = System.nanoTime();
            image = nvrtc.compile(source, SOURCE, architecture, OPTIONS);
            LOG.info(String.format("compiled the CUDA kernels for %s with %s in %.1f s", architecture, nvrtc.library(),
                    (System.nanoTime() - start) / 1e9));
            if (cached != null) store(cached, image);
        }
        return new CudaKernels(context, context.loadModule(image));
    }

    /** The kernel called {@code name} (an extern "C" function of kernels.cu). */
    public MemorySegment function(String name) {
        return functions.computeIfAbsent(name, n -> context.function(module, n));
    }

    static String source() {
        try (InputStream in = CudaKernels.class.getResourceAsStream(SOURCE)) {
            if (in == null) throw new IllegalStateException(SOURCE + " is missing from the datacenter jar");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String key(String source, String architecture, String nvrtcVersion) {
        try {
            var digest = MessageDigest.getInstance("SHA-256");
            digest.update((architecture + "\n" + nvrtcVersion + "\n" + String.join(" ", OPTIONS) + "\n").getBytes(StandardCharsets.UTF_8));
            digest.update(source.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest.digest(), 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The default cache: $APPLIANCE_KERNEL_CACHE, else $XDG_CACHE_HOME/appliance/cuda, else ~/.cache/appliance/cuda. */
    public static Path defaultCacheFolder(Map<String, String> environment) {
        var explicit = environment.get("APPLIANCE_KERNEL_CACHE");
        if (explicit != null && !explicit.isBlank()) return Path.of(explicit);
        var xdg = environment.get("XDG_CACHE_HOME");
        var base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("appliance").resolve("cuda");
    }

    private static void store(Path cached, byte[] image) {
        try {
            Files.createDirectories(cached.getParent());
            var temporary = Files.createTempFile(cached.getParent(), "kernels", ".part");
            Files.write(temporary, image);
            Files.move(temporary, cached, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | UnsupportedOperationException e) {
            LOG.warning("cannot cache the compiled kernels in " + cached.getParent() + ": " + e.getMessage());
        }
    }
}
