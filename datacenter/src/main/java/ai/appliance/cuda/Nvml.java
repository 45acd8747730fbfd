package ai.appliance.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * GPU metrics from NVML ({@code libnvidia-ml.so.1}, part of the NVIDIA driver for discrete GPUs) through Java's FFM API:
 * temperature, power, utilisation and memory per GPU, for /metrics and the scheduler. Open once, read often, close.
 * Jetson has no NVML (its readings are in sysfs); {@link #open()} then fails with a message saying the library is
 * missing.
 */
public final class Nvml implements AutoCloseable {

    public static final String LIBRARY = "libnvidia-ml.so.1";

    static final int SUCCESS = 0;
    static final int NOT_SUPPORTED = 3;
    /** nvmlTemperatureSensors_t NVML_TEMPERATURE_GPU: the GPU die. */
    static final int TEMPERATURE_GPU = 0;

    /** nvmlUtilization_t: two unsigned ints, percent. */
    static final StructLayout UTILIZATION = MemoryLayout.structLayout(JAVA_INT.withName("gpu"),
            JAVA_INT.withName("memory"));
    /** nvmlMemory_t (the v1 struct of nvmlDeviceGetMemoryInfo): three unsigned long longs, bytes. */
    static final StructLayout MEMORY = MemoryLayout.structLayout(JAVA_LONG.withName("total"),
            JAVA_LONG.withName("free"), JAVA_LONG.withName("used"));

    /** nvmlReturn_t f(void): nvmlInit_v2, nvmlShutdown. */
    static final FunctionDescriptor NO_ARGUMENTS = FunctionDescriptor.of(JAVA_INT);
    /** nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int*). */
    static final FunctionDescriptor POINTER_ARGUMENT = FunctionDescriptor.of(JAVA_INT, ADDRESS);
    /** nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int, nvmlDevice_t*). */
    static final FunctionDescriptor INT_POINTER = FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS);
    /** nvmlReturn_t f(nvmlDevice_t, T*): power (unsigned int* mW), utilisation, memory (struct pointers). */
    static final FunctionDescriptor HANDLE_POINTER = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS);
    /** nvmlReturn_t nvmlDeviceGetTemperature(nvmlDevice_t, nvmlTemperatureSensors_t, unsigned int*). */
    static final FunctionDescriptor HANDLE_INT_POINTER = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS);
    /** const char* nvmlErrorString(nvmlReturn_t). */
    static final FunctionDescriptor ERROR_STRING = FunctionDescriptor.of(ADDRESS, JAVA_INT);

    private static final ErrorNames NAMES = ErrorNames.load("nvml-return.properties", "nvmlReturn_t");

    private final MethodHandle init;
    private final MethodHandle shutdown;
    private final MethodHandle deviceCount;
    private final MethodHandle handleByIndex;
    private final MethodHandle temperature;
    private final MethodHandle powerUsage;
    private final MethodHandle utilizationRates;
    private final MethodHandle memoryInfo;
    private final MethodHandle errorString;
    private boolean open;

    private Nvml(NativeLibrary library) {
        init = library.function("nvmlInit_v2", NO_ARGUMENTS);
        shutdown = library.function("nvmlShutdown", NO_ARGUMENTS);
        deviceCount = library.function("nvmlDeviceGetCount_v2", POINTER_ARGUMENT);
        handleByIndex = library.function("nvmlDeviceGetHandleByIndex_v2", INT_POINTER);
        temperature = library.function("nvmlDeviceGetTemperature", HANDLE_INT_POINTER);
        powerUsage = library.function("nvmlDeviceGetPowerUsage", HANDLE_POINTER);
        utilizationRates = library.function("nvmlDeviceGetUtilizationRates", HANDLE_POINTER);
        memoryInfo = library.function("nvmlDeviceGetMemoryInfo", HANDLE_POINTER);
        errorString = library.function("nvmlErrorString", ERROR_STRING);
    }

    /**
     * Opens the host's NVML and initialises it (nvmlInit_v2).
     *
     * @throws CudaException when the library is missing, or initialisation fails (e.g. NVML_ERROR_DRIVER_NOT_LOADED)
     */
    public static Nvml open() {
        return open(NativeLibrary.open(List.of(LIBRARY)).orElseThrow(() -> new CudaException("dlopen",
                CudaException.NO_STATUS, "no NVML: " + LIBRARY + " not found (it comes with the NVIDIA driver)")));
    }

    /** Binds {@code library}'s NVML functions and initialises it. */
    public static Nvml open(NativeLibrary library) {
        var nvml = new Nvml(library);
        nvml.check("nvmlInit_v2", nvml.call(nvml.init));
        nvml.open = true;
        return nvml;
    }

    public int deviceCount() {
        try (var arena = Arena.ofConfined()) {
            var count = arena.allocate(JAVA_INT);
            check("nvmlDeviceGetCount_v2", call(deviceCount, count));
            return count.get(JAVA_INT, 0);
        }
    }

    /** Every GPU's readings, by NVML index. */
    public List<GpuMetrics> metrics() {
        var all = new ArrayList<GpuMetrics>();
        for (int i = 0, n = deviceCount(); i < n; i++) all.add(metrics(i));
        return all;
    }

    public GpuMetrics metrics(int index) {
        try (var arena = Arena.ofConfined()) {
            var handleOut = arena.allocate(ADDRESS);
            check("nvmlDeviceGetHandleByIndex_v2", call(handleByIndex, index, handleOut));
            var device = handleOut.get(ADDRESS, 0);

            var celsius = arena.allocate(JAVA_INT);
            var temperatureRead = supported("nvmlDeviceGetTemperature",
                    call(temperature, device, TEMPERATURE_GPU, celsius));
            var milliwatts = arena.allocate(JAVA_INT);
            var powerRead = supported("nvmlDeviceGetPowerUsage", call(powerUsage, device, milliwatts));
            var utilization = arena.allocate(UTILIZATION);
            var utilizationRead = supported("nvmlDeviceGetUtilizationRates", call(utilizationRates, device, utilization));
            var memory = arena.allocate(MEMORY);
            var memoryRead = supported("nvmlDeviceGetMemoryInfo", call(memoryInfo, device, memory));

            return new GpuMetrics(index,
                    temperatureRead ? OptionalInt.of(celsius.get(JAVA_INT, 0)) : OptionalInt.empty(),
                    powerRead ? OptionalInt.of(milliwatts.get(JAVA_INT, 0)) : OptionalInt.empty(),
                    utilizationRead ? OptionalInt.of(field(utilization, UTILIZATION, "gpu")) : OptionalInt.empty(),
                    utilizationRead ? OptionalInt.of(field(utilization, UTILIZATION, "memory")) : OptionalInt.empty(),
                    memoryRead ? OptionalLong.of(memory.get(JAVA_LONG, offset(MEMORY, "total"))) : OptionalLong.empty(),
                    memoryRead ? OptionalLong.of(memory.get(JAVA_LONG, offset(MEMORY, "used"))) : OptionalLong.empty());
        }
    }

    /** nvmlShutdown, once; NVML counts init/shutdown pairs, so every open needs its close. */
    @Override
    public void close() {
        if (!open) return;
        open = false;
        check("nvmlShutdown", call(shutdown));
    }

    private static int field(MemorySegment struct, StructLayout layout, String name) {
        return struct.get(JAVA_INT, offset(layout, name));
    }

    private static long offset(StructLayout layout, String name) {
        return layout.byteOffset(MemoryLayout.PathElement.groupElement(name));
    }

    private int call(MethodHandle function, Object... arguments) {
        return NativeLibrary.status(function, arguments);
    }

    /** True for success, false for a reading this GPU does not have; any other status is an error. */
    private boolean supported(String call, int result) {
        if (result == NOT_SUPPORTED) return false;
        check(call, result);
        return true;
    }

    private void check(String call, int result) {
        if (result == SUCCESS) return;
        throw CudaException.status(call, result, NAMES.known(result), NativeLibrary.describe(errorString, result), null);
    }

    /** E.g. {@code NVML_ERROR_DRIVER_NOT_LOADED} for 9. */
    public static String name(int code) {
        return NAMES.name(code);
    }
}
