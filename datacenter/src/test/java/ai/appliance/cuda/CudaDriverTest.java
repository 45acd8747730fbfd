package ai.appliance.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The driver binding against a fake libcuda made of upcall stubs, and against this host's (absent) driver. */
class CudaDriverTest {

    // The fake driver's state: two GPUs, an H100 and an Orin-like integrated one, driver CUDA 12.4.
    private static int initResult;
    private static int countResult;
    private static MemorySegment noDeviceText;

    private FakeLibrary fake;

    // C signatures as cuda.h declares them, written here independently of CudaDriver's descriptors.
    private static final FunctionDescriptor INT_INT = FunctionDescriptor.of(JAVA_INT, JAVA_INT);
    private static final FunctionDescriptor INT_PTR = FunctionDescriptor.of(JAVA_INT, ADDRESS);
    private static final FunctionDescriptor INT_PTR_INT = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT);
    private static final FunctionDescriptor INT_PTR_INT_INT = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
    private static final FunctionDescriptor INT_INT_PTR = FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS);

    static int cuInit(int flags) {
        return flags == 0 ? initResult : 1;
    }

    static int cuDriverGetVersion(MemorySegment version) {
        version.reinterpret(4).set(JAVA_INT, 0, 12040);
        return 0;
    }

    static int cuDeviceGetCount(MemorySegment count) {
        if (countResult != 0) return countResult;
        count.reinterpret(4).set(JAVA_INT, 0, 2);
        return 0;
    }

    static int cuDeviceGet(MemorySegment device, int ordinal) {
        if (ordinal < 0 || ordinal > 1) return 101; // CUDA_ERROR_INVALID_DEVICE
        device.reinterpret(4).set(JAVA_INT, 0, 10 + ordinal); // CUdevice handles need not equal ordinals
        return 0;
    }

    static int cuDeviceGetName(MemorySegment name, int length, int device) {
        name.reinterpret(length).setString(0, device == 10 ? "NVIDIA H100 80GB HBM3" : "Orin (nvgpu)");
        return 0;
    }

    static int cuDeviceTotalMem_v2(MemorySegment bytes, int device) {
        bytes.reinterpret(8).set(JAVA_LONG, 0, device == 10 ? 85_031_714_816L : 7_620_016L * 1024);
        return 0;
    }

    static int cuDeviceGetAttribute(MemorySegment value, int attribute, int device) {
        boolean h100 = device == 10;
        int v = switch (attribute) {
            case 16 -> h100 ? 132 : 8;
            case 18 -> h100 ? 0 : 1;
            case 75 -> h100 ? 9 : 8;
            case 76 -> h100 ? 0 : 7;
            default -> -1;
        };
        if (v < 0) return 1; // CUDA_ERROR_INVALID_VALUE
        value.reinterpret(4).set(JAVA_INT, 0, v);
        return 0;
    }

    static int cuGetErrorString(int error, MemorySegment text) {
        if (error != 100) return 1; // like the driver: CUDA_ERROR_INVALID_VALUE for codes it does not know
        text.reinterpret(8).set(ADDRESS, 0, noDeviceText);
        return 0;
    }

    @BeforeEach
    void fakeDriver() {
        initResult = 0;
        countResult = 0;
        fake = new FakeLibrary(MethodHandles.lookup());
        noDeviceText = fake.cString("no CUDA-capable device is detected");
        fake.function("cuInit", INT_INT).function("cuDriverGetVersion", INT_PTR).function("cuDeviceGetCount", INT_PTR)
                .function("cuDeviceGet", INT_PTR_INT).function("cuDeviceGetName", INT_PTR_INT_INT)
                .function("cuDeviceTotalMem_v2", INT_PTR_INT).function("cuDeviceGetAttribute", INT_PTR_INT_INT)
                .function("cuGetErrorString", INT_INT_PTR);
    }

    @AfterEach
    void close() {
        fake.close();
    }

    @Test
    void theInventoryComesThroughRealDowncalls() {
        var driver = CudaDriver.bind(fake.library("libcuda.so.1"));
        driver.init();
        var inventory = driver.inventory();
        assertEquals(new CudaVersion(12, 4), inventory.driver());
        assertEquals(List.of(
                new GpuInventory.Gpu(0, "NVIDIA H100 80GB HBM3", 85_031_714_816L, 9, 0, 132, false),
                new GpuInventory.Gpu(1, "Orin (nvgpu)", 7_620_016L * 1024, 8, 7, 8, true)), inventory.gpus());
        assertEquals("9.0", inventory.gpus().getFirst().computeCapability());
        assertEquals("CUDA 12.4 driver, 2 GPUs: NVIDIA H100 80GB HBM3 (sm_90, 79.2 GiB), "
                + "Orin (nvgpu) (sm_87, 7.3 GiB, integrated)", inventory.describe());
    }

    @Test
    void aFailedCallNamesTheCallTheErrorTheDriversTextAndWhatToDo() {
        initResult = 100;
        var driver = CudaDriver.bind(fake.library("libcuda.so.1"));
        var e = assertThrows(CudaException.class, driver::init);
        assertEquals("cuInit", e.call());
        assertEquals(100, e.code());
        assertEquals("cuInit: CUDA_ERROR_NO_DEVICE (100): no CUDA-capable device is detected (" + CudaErrors.hint(100)
                + ")", e.getMessage());

        countResult = 4242; // a code neither the driver's strings nor our table know
        var unknown = assertThrows(CudaException.class, driver::deviceCount);
        assertEquals("cuDeviceGetCount: error 4242", unknown.getMessage());

        var invalid = assertThrows(CudaException.class, () -> driver.device(7));
        assertEquals("cuDeviceGet: CUDA_ERROR_INVALID_DEVICE (101)", invalid.getMessage());
    }

    @Test
    void aFunctionTheLibraryLacksIsAClearErrorAtBindTime() {
        try (var old = new FakeLibrary(MethodHandles.lookup())) {
            old.function("cuInit", INT_INT).function("cuDriverGetVersion", INT_PTR);
            var e = assertThrows(CudaException.class, () -> CudaDriver.bind(old.library("libcuda.so.1")));
            assertEquals("libcuda.so.1 has no function cuDeviceGetCount: the library is older than this binding needs",
                    e.getMessage());
        }
    }

    @Test
    void withoutTheLibraryLoadSaysThereIsNoDriver() {
        var e = assertThrows(CudaException.class,
                () -> CudaDriver.load(List.of("libcuda-not-here.so.1", "/no/such/folder/libcuda.so.1")));
        assertEquals("dlopen", e.call());
        assertEquals(CudaException.NO_STATUS, e.code());
        assertEquals("no NVIDIA driver: libcuda-not-here.so.1 or /no/such/folder/libcuda.so.1 not found", e.getMessage());
    }

    @Test
    void onAHostWithoutTheDriverLoadFailsWithTheReasonTheProviderReports() {
        assumeTrue(NativeLibrary.open(List.of(CudaDriver.LIBRARY)).isEmpty(), "this host has an NVIDIA driver");
        var e = assertThrows(CudaException.class, CudaDriver::load);
        assertEquals("no NVIDIA driver: libcuda.so.1 not found", e.getMessage());
    }

    @Test
    void nativeLibraryOpensTheFirstCandidateTheLoaderFindsAndCallsIt() {
        var libc = NativeLibrary.open(List.of("libnot-a-library.so.3", "/nowhere/libc.so.6", "libc.so.6")).orElseThrow();
        assertEquals("libc.so.6", libc.name());
        var getpid = libc.function("getpid", FunctionDescriptor.of(JAVA_INT));
        assertEquals(ProcessHandle.current().pid(), NativeLibrary.status(getpid));
        assertFalse(NativeLibrary.open(List.of("libnot-a-library.so.3")).isPresent());
        assertTrue(assertThrows(CudaException.class, () -> libc.function("cuInit", INT_INT)).getMessage()
                .startsWith("libc.so.6 has no function cuInit"));
    }

    @Test
    void cudaVersionsDecodeAsTheDriverEncodesThem() {
        assertEquals(new CudaVersion(12, 4), CudaVersion.decode(12040));
        assertEquals(new CudaVersion(13, 0), CudaVersion.decode(13000));
        assertEquals("12.8", CudaVersion.decode(12080).toString());
        assertTrue(CudaVersion.decode(13000).compareTo(CudaVersion.decode(12090)) > 0);
        assertThrows(IllegalArgumentException.class, () -> CudaVersion.decode(0));
    }
}
