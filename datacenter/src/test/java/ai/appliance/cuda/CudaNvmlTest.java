package ai.appliance.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The NVML binding against a fake libnvidia-ml made of upcall stubs: one GPU without a power sensor. */
class CudaNvmlTest {

    private static final long HANDLE = 0x5EED_0000L;
    private static final long TOTAL = 80L << 30;
    private static final long USED = 61L << 30;

    private static int initResult;
    private static int shutdowns;
    private static MemorySegment driverNotLoaded;
    private FakeLibrary fake;

    static int nvmlInit_v2() {
        return initResult;
    }

    static int nvmlShutdown() {
        shutdowns++;
        return 0;
    }

    static int nvmlDeviceGetCount_v2(MemorySegment count) {
        count.reinterpret(4).set(JAVA_INT, 0, 1);
        return 0;
    }

    static int nvmlDeviceGetHandleByIndex_v2(int index, MemorySegment device) {
        if (index != 0) return 2; // NVML_ERROR_INVALID_ARGUMENT
        device.reinterpret(8).set(ADDRESS, 0, MemorySegment.ofAddress(HANDLE));
        return 0;
    }

    static int nvmlDeviceGetTemperature(MemorySegment device, int sensor, MemorySegment celsius) {
        if (device.address() != HANDLE || sensor != 0) return 2;
        celsius.reinterpret(4).set(JAVA_INT, 0, 54);
        return 0;
    }

    static int nvmlDeviceGetPowerUsage(MemorySegment device, MemorySegment milliwatts) {
        return 3; // NVML_ERROR_NOT_SUPPORTED, as on boards without a power sensor
    }

    static int nvmlDeviceGetUtilizationRates(MemorySegment device, MemorySegment utilization) {
        if (device.address() != HANDLE) return 2;
        var u = utilization.reinterpret(8);
        u.set(JAVA_INT, 0, 87);
        u.set(JAVA_INT, 4, 41);
        return 0;
    }

    static int nvmlDeviceGetMemoryInfo(MemorySegment device, MemorySegment memory) {
        if (device.address() != HANDLE) return 2;
        var m = memory.reinterpret(24);
        m.set(JAVA_LONG, 0, TOTAL);
        m.set(JAVA_LONG, 8, TOTAL - USED);
        m.set(JAVA_LONG, 16, USED);
        return 0;
    }

    static MemorySegment nvmlErrorString(int result) {
        return result == 9 ? driverNotLoaded : MemorySegment.NULL;
    }

    @BeforeEach
    void fakeNvml() {
        initResult = 0;
        shutdowns = 0;
        fake = new FakeLibrary(MethodHandles.lookup());
        driverNotLoaded = fake.cString("Driver Not Loaded");
        var status = FunctionDescriptor.of(JAVA_INT);
        var handleAndPointer = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS);
        fake.function("nvmlInit_v2", status).function("nvmlShutdown", status)
                .function("nvmlDeviceGetCount_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS))
                .function("nvmlDeviceGetHandleByIndex_v2", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS))
                .function("nvmlDeviceGetTemperature", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS))
                .function("nvmlDeviceGetPowerUsage", handleAndPointer)
                .function("nvmlDeviceGetUtilizationRates", handleAndPointer)
                .function("nvmlDeviceGetMemoryInfo", handleAndPointer)
                .function("nvmlErrorString", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    }

    @AfterEach
    void close() {
        fake.close();
    }

    @Test
    void metricsOfEveryGpuWithAnUnsupportedReadingLeftEmpty() {
        try (var nvml = Nvml.open(fake.library(Nvml.LIBRARY))) {
            assertEquals(1, nvml.deviceCount());
            assertEquals(List.of(new GpuMetrics(0, OptionalInt.of(54), OptionalInt.empty(), OptionalInt.of(87),
                    OptionalInt.of(41), OptionalLong.of(TOTAL), OptionalLong.of(USED))), nvml.metrics());
            var e = assertThrows(CudaException.class, () -> nvml.metrics(3));
            assertEquals("nvmlDeviceGetHandleByIndex_v2: NVML_ERROR_INVALID_ARGUMENT (2)", e.getMessage());
        }
        assertEquals(1, shutdowns);
    }

    @Test
    void aFailedInitNamesTheCallAndNvmlsText() {
        initResult = 9;
        var e = assertThrows(CudaException.class, () -> Nvml.open(fake.library(Nvml.LIBRARY)));
        assertEquals("nvmlInit_v2: NVML_ERROR_DRIVER_NOT_LOADED (9): Driver Not Loaded", e.getMessage());
        assertEquals(0, shutdowns);
    }

    @Test
    void closingTwiceShutsDownOnce() {
        var nvml = Nvml.open(fake.library(Nvml.LIBRARY));
        nvml.close();
        nvml.close();
        assertEquals(1, shutdowns);
    }

    @Test
    void theGpuReportPrintsDriverNvrtcAndNvmlLines() {
        var h100 = new GpuInventory.Gpu(0, "NVIDIA H100 80GB HBM3", 85_031_714_816L, 9, 0, 132, false);
        var probe = new CudaProbe.Available(new GpuInventory(new CudaVersion(12, 4), List.of(h100)),
                "NVRTC 12.4 (libnvrtc.so.12)", true);
        assertEquals(List.of("driver: CUDA 12.4 driver, 1 GPU: NVIDIA H100 80GB HBM3 (sm_90, 79.2 GiB)",
                "  cuda 0: NVIDIA H100 80GB HBM3 (sm_90, 79.2 GiB), 132 SMs", "nvrtc: NVRTC 12.4 (libnvrtc.so.12)",
                "  nvml 0: 54 C, power n/a, gpu 87 %, memory 62464 MiB used of 81920 MiB"),
                GpuReport.lines(probe, () -> Nvml.open(fake.library(Nvml.LIBRARY))));
        initResult = 9;
        assertEquals("nvml: nvmlInit_v2: NVML_ERROR_DRIVER_NOT_LOADED (9): Driver Not Loaded",
                GpuReport.lines(probe, () -> Nvml.open(fake.library(Nvml.LIBRARY))).getLast());
        assertEquals(List.of("driver: no NVIDIA driver: libcuda.so.1 not found"),
                GpuReport.lines(new CudaProbe.Unavailable("no NVIDIA driver: libcuda.so.1 not found"), () -> {
                    throw new AssertionError("NVML is not opened without a driver");
                }));
    }

    @Test
    void onAHostWithoutTheDriverOpenSaysNvmlIsMissing() {
        assumeTrue(NativeLibrary.open(List.of(Nvml.LIBRARY)).isEmpty(), "this host has NVML");
        var e = assertThrows(CudaException.class, Nvml::open);
        assertEquals("no NVML: libnvidia-ml.so.1 not found (it comes with the NVIDIA driver)", e.getMessage());
    }
}
