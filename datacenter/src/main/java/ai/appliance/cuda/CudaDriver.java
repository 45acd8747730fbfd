package ai.appliance.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * The CUDA driver API ({@code libcuda.so.1}) through Java's FFM API: the calls that find the GPUs. The driver library
 * ships with the NVIDIA driver itself (and with L4T on Jetson), keeps its ABI across CUDA 12 and 13, and needs no
 * CUDA toolkit on the host. Every CUresult is checked: a failure is a {@link CudaException} naming the call and the
 * error. Types as cuda.h declares them on 64-bit Linux: CUresult, CUdevice and enums are {@code int}, size_t is 64 bits.
 */
public final class CudaDriver {

    /** The driver library's soname: the same file on x86-64 and aarch64, discrete GPUs and Jetson. */
    public static final String LIBRARY = "libcuda.so.1";

    /** CUdevice_attribute values (cuda.h) this binding reads. */
    public static final int ATTRIBUTE_MULTIPROCESSOR_COUNT = 16;
    public static final int ATTRIBUTE_INTEGRATED = 18;
    public static final int ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75;
    public static final int ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76;

    /** CUresult f(unsigned int): cuInit. */
    static final FunctionDescriptor INT_ARGUMENT = FunctionDescriptor.of(JAVA_INT, JAVA_INT);
    /** CUresult f(int*): cuDriverGetVersion, cuDeviceGetCount. */
    static final FunctionDescriptor POINTER_ARGUMENT = FunctionDescriptor.of(JAVA_INT, ADDRESS);
    /** CUresult f(T*, int): cuDeviceGet(CUdevice*, int ordinal), cuDeviceTotalMem_v2(size_t*, CUdevice). */
    static final FunctionDescriptor POINTER_INT = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT);
    /** CUresult f(T*, int, int): cuDeviceGetName(char*, int len, CUdevice), cuDeviceGetAttribute(int*, attribute, CUdevice). */
    static final FunctionDescriptor POINTER_INT_INT = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
    /** CUresult cuGetErrorString(CUresult, const char**). */
    static final FunctionDescriptor INT_POINTER = FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS);

    /** cuDeviceGetName's buffer: device names are far shorter (nvidia-smi allows 96). */
    private static final int NAME_BYTES = 256;

    private final String library;
    private final NativeLibrary nativeLibrary;
    private final MethodHandle cuInit;
    private final MethodHandle cuDriverGetVersion;
    private final MethodHandle cuDeviceGetCount;
    private final MethodHandle cuDeviceGet;
    private final MethodHandle cuDeviceGetName;
    private final MethodHandle cuDeviceTotalMem;
    private final MethodHandle cuDeviceGetAttribute;
    private final MethodHandle cuGetErrorString;

    private CudaDriver(NativeLibrary library) {
        this.library = library.name();
        this.nativeLibrary = library;
        cuInit = library.function("cuInit", INT_ARGUMENT);
        cuDriverGetVersion = library.function("cuDriverGetVersion", POINTER_ARGUMENT);
        cuDeviceGetCount = library.function("cuDeviceGetCount", POINTER_ARGUMENT);
        cuDeviceGet = library.function("cuDeviceGet", POINTER_INT);
        cuDeviceGetName = library.function("cuDeviceGetName", POINTER_INT_INT);
        // cuda.h #defines cuDeviceTotalMem to the _v2 symbol: the unsuffixed one is the old 32-bit-size ABI.
        cuDeviceTotalMem = library.function("cuDeviceTotalMem_v2", POINTER_INT);
        cuDeviceGetAttribute = library.function("cuDeviceGetAttribute", POINTER_INT_INT);
        cuGetErrorString = library.function("cuGetErrorString", INT_POINTER);
    }

    /**
     * Opens the host's driver library and initialises it (cuInit).
     *
     * @throws CudaException "no NVIDIA driver: libcuda.so.1 not found" without a driver, else the failing call
     */
    public static CudaDriver load() {
        return load(List.of(LIBRARY));
    }

    /** {@link #load()} from the first of {@code candidates} (sonames or paths) that opens. */
    public static CudaDriver load(List<String> candidates) {
        var library = NativeLibrary.open(candidates).orElseThrow(() -> new CudaException("dlopen",
                CudaException.NO_STATUS, "no NVIDIA driver: " + String.join(" or ", candidates) + " not found"));
        var driver = bind(library);
        driver.init();
        return driver;
    }

    /** Binds every function this class calls, without calling any. */
    public static CudaDriver bind(NativeLibrary library) {
        return new CudaDriver(library);
    }

    /** cuInit(0): must come before any other call but cuDriverGetVersion and cuGetErrorString. */
    public void init() {
        check("cuInit", cuInit, 0);
    }

    public String library() {
        return library;
    }

    /** The bound library, for the bindings of contexts, memory and launches ({@link CudaContext}). */
    NativeLibrary nativeLibrary() {
        return nativeLibrary;
    }

    /** The newest CUDA version the driver supports, e.g. 12.4 (not the driver's own 550.54.15). */
    public CudaVersion driverVersion() {
        return CudaVersion.decode(readInt("cuDriverGetVersion", cuDriverGetVersion));
    }

    public int deviceCount() {
        return readInt("cuDeviceGetCount", cuDeviceGetCount);
    }

    /** The CUdevice of ordinal {@code ordinal} (0 ≤ ordinal < {@link #deviceCount()}). */
    public int device(int ordinal) {
        return readInt("cuDeviceGet", cuDeviceGet, ordinal);
    }

    public String deviceName(int device) {
        try (var arena = Arena.ofConfined()) {
            var buffer = arena.allocate(NAME_BYTES);
            check("cuDeviceGetName", cuDeviceGetName, buffer, NAME_BYTES, device);
            return buffer.getString(0);
        }
    }

    public long totalMemory(int device) {
        try (var arena = Arena.ofConfined()) {
            var bytes = arena.allocate(JAVA_LONG);
            check("cuDeviceTotalMem_v2", cuDeviceTotalMem, bytes, device);
            return bytes.get(JAVA_LONG, 0);
        }
    }

    /** A CUdevice_attribute, e.g. {@link #ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR}. */
    public int attribute(int device, int attribute) {
        return readInt("cuDeviceGetAttribute", cuDeviceGetAttribute, attribute, device);
    }

    /** Every GPU with name, memory, compute capability, plus the driver's CUDA version. */
    public GpuInventory inventory() {
        var gpus = new ArrayList<GpuInventory.Gpu>();
        int count = deviceCount();
        for (int ordinal = 0; ordinal < count; ordinal++) {
            int device = device(ordinal);
            gpus.add(new GpuInventory.Gpu(ordinal, deviceName(device), totalMemory(device),
                    attribute(device, ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR),
                    attribute(device, ATTRIBUTE_COMPUTE_CAPABILITY_MINOR),
                    attribute(device, ATTRIBUTE_MULTIPROCESSOR_COUNT), attribute(device, ATTRIBUTE_INTEGRATED) != 0));
        }
        return new GpuInventory(driverVersion(), gpus);
    }

    /** The int a call writes through its first (pointer) argument; the other arguments follow it. */
    private int readInt(String call, MethodHandle function, Object... rest) {
        try (var arena = Arena.ofConfined()) {
            var out = arena.allocate(JAVA_INT);
            var arguments = new Object[rest.length + 1];
            arguments[0] = out;
            System.arraycopy(rest, 0, arguments, 1, rest.length);
            check(call, function, arguments);
            return out.get(JAVA_INT, 0);
        }
    }

    private void check(String call, MethodHandle function, Object... arguments) {
        int result = NativeLibrary.status(function, arguments);
        if (result != CudaErrors.SUCCESS) throw CudaErrors.exception(call, result, errorString(result));
    }

    /** The driver's own text for {@code code}; null when it has none (cuGetErrorString fails for unknown codes). */
    String errorString(int code) {
        try (var arena = Arena.ofConfined()) {
            var text = arena.allocate(ADDRESS);
            if (NativeLibrary.status(cuGetErrorString, code, text) != CudaErrors.SUCCESS) return null;
            return NativeLibrary.string(text.get(ADDRESS, 0));
        }
    }
}
