package ai.appliance.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;
import java.lang.foreign.MemorySegment;
import java.util.Map;

/**
 * NVRTC, CUDA's run-time compiler ({@code libnvrtc.so.13} / {@code .12}), through Java's FFM API. The backends
 * compile their CUDA C kernels with it on the host, for the exact GPU found (sm_87 on Orin, sm_90 on H100), so one
 * jar serves every GPU generation ({@link #compile}).
 *
 * <p>NVRTC is not part of the driver. It comes with the CUDA toolkit ({@code cuda-nvrtc-12-6} and the like, in
 * /usr/local/cuda/lib64), with JetPack on Jetson, or from NVIDIA's pip wheels ({@code nvidia-cuda-nvrtc-cu12}:
 * site-packages/nvidia/cuda_nvrtc/lib, to be put on LD_LIBRARY_PATH).
 */
public final class Nvrtc {

    /** Majors this binding knows, newest first. NVRTC's output needs a driver of at least the same CUDA major. */
    public static final List<Integer> MAJORS = List.of(13, 12);

    /** nvrtcResult nvrtcVersion(int* major, int* minor). */
    static final FunctionDescriptor VERSION = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS);
    /** const char* nvrtcGetErrorString(nvrtcResult). */
    static final FunctionDescriptor ERROR_STRING = FunctionDescriptor.of(ADDRESS, JAVA_INT);

    private final String library;
    private final NativeLibrary nativeLibrary;
    private final MethodHandle version;
    private final MethodHandle errorString;

    private Nvrtc(NativeLibrary library) {
        this.library = library.name();
        this.nativeLibrary = library;
        version = library.function("nvrtcVersion", VERSION);
        errorString = library.function("nvrtcGetErrorString", ERROR_STRING);
    }

    /**
     * Compiles CUDA C {@code source} to CUBIN for {@code architecture} (e.g. "sm_90") with NVRTC's own built-in
     * declarations only (no headers).
     *
     * @throws CudaException naming the failing call; a compile error carries NVRTC's log
     */
    public byte[] compile(String source, String name, String architecture, List<String> options) {
        var create = nativeLibrary.function("nvrtcCreateProgram",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS));
        var compile = nativeLibrary.function("nvrtcCompileProgram", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));
        var logSize = nativeLibrary.function("nvrtcGetProgramLogSize", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        var log = nativeLibrary.function("nvrtcGetProgramLog", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        var cubinSize = nativeLibrary.function("nvrtcGetCUBINSize", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        var cubin = nativeLibrary.function("nvrtcGetCUBIN", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        var destroy = nativeLibrary.function("nvrtcDestroyProgram", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        try (var arena = Arena.ofConfined()) {
            var program = arena.allocate(ADDRESS);
            check("nvrtcCreateProgram", NativeLibrary.status(create, program, arena.allocateFrom(source),
                    arena.allocateFrom(name), 0, MemorySegment.NULL, MemorySegment.NULL));
            var handle = program.get(ADDRESS, 0);
            try {
                var all = new ArrayList<String>();
                all.add("--gpu-architecture=" + architecture);
                all.addAll(options);
                var array = arena.allocate(ADDRESS, all.size());
                for (int i = 0; i < all.size(); i++) array.setAtIndex(ADDRESS, i, arena.allocateFrom(all.get(i)));
                int result = NativeLibrary.status(compile, handle, all.size(), array);
                if (result != 0) {
                    var size = arena.allocate(JAVA_LONG);
                    String text = "";
                    if (NativeLibrary.status(logSize, handle, size) == 0 && size.get(JAVA_LONG, 0) > 1) {
                        var buffer = arena.allocate(size.get(JAVA_LONG, 0));
                        if (NativeLibrary.status(log, handle, buffer) == 0) text = buffer.getString(0);
                    }
                    throw CudaException.status("nvrtcCompileProgram (" + name + " for " + architecture + ")", result,
                            null, NativeLibrary.describe(errorString, result), text.isBlank() ? null : text.strip());
                }
                var size = arena.allocate(JAVA_LONG);
                check("nvrtcGetCUBINSize", NativeLibrary.status(cubinSize, handle, size));
                var image = arena.allocate(size.get(JAVA_LONG, 0));
                check("nvrtcGetCUBIN", NativeLibrary.status(cubin, handle, image));
                return image.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
            } finally {
                program.set(ADDRESS, 0, handle);
                NativeLibrary.status(destroy, program);
            }
        }
    }

    private void check(String call, int result) {
        if (result != 0) throw CudaException.status(call, result, null, NativeLibrary.describe(errorString, result), null);
    }

    public static Nvrtc bind(NativeLibrary library) {
        return new Nvrtc(library);
    }

    /**
     * The newest NVRTC whose major is at most {@code newestMajor} (the driver's CUDA major: NVRTC 13 output does not
     * load on a CUDA 12 driver).
     *
     * @throws CudaException when none is found, saying where it was looked for and how to install it
     */
    public static Nvrtc load(int newestMajor) {
        return load(newestMajor, System.getenv());
    }

    static Nvrtc load(int newestMajor, Map<String, String> environment) {
        var candidates = candidates(newestMajor, environment);
        return bind(NativeLibrary.open(candidates).orElseThrow(() -> new CudaException("dlopen", CudaException.NO_STATUS,
                "no NVRTC for a CUDA " + newestMajor + " driver: none of " + String.join(", ", candidates)
                        + " opens; install the toolkit's NVRTC (cuda-nvrtc-" + Math.min(newestMajor, MAJORS.getFirst())
                        + "-x), or NVIDIA's pip wheel (nvidia-cuda-nvrtc-cu12 for CUDA 12) with its lib folder on"
                        + " LD_LIBRARY_PATH")));
    }

    /**
     * Where NVRTC is looked for, best first: each major from {@code newestMajor} down by soname (dlopen's search:
     * LD_LIBRARY_PATH, the ld.so cache), then in $CUDA_HOME/lib64 and /usr/local/cuda/lib64, where the toolkit puts it
     * without always adding the folder to the ld.so cache.
     */
    static List<String> candidates(int newestMajor, Map<String, String> environment) {
        var folders = new ArrayList<String>();
        var cudaHome = environment.get("CUDA_HOME");
        if (cudaHome != null && !cudaHome.isBlank()) folders.add(cudaHome + "/lib64");
        folders.add("/usr/local/cuda/lib64");
        var candidates = new ArrayList<String>();
        for (int major : MAJORS) {
            if (major > newestMajor) continue;
            var soname = "libnvrtc.so." + major;
            candidates.add(soname);
            for (var folder : folders) candidates.add(folder + "/" + soname);
        }
        return candidates;
    }

    public String library() {
        return library;
    }

    public CudaVersion version() {
        try (var arena = Arena.ofConfined()) {
            var major = arena.allocate(JAVA_INT);
            var minor = arena.allocate(JAVA_INT);
            int result = NativeLibrary.status(version, major, minor);
            if (result != 0) {
                throw CudaException.status("nvrtcVersion", result, null, NativeLibrary.describe(errorString, result), null);
            }
            return new CudaVersion(major.get(JAVA_INT, 0), minor.get(JAVA_INT, 0));
        }
    }
}
