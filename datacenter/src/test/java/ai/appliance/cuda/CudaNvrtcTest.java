package ai.appliance.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Where NVRTC is looked for, and its version probe against a fake libnvrtc. */
class CudaNvrtcTest {

    private static int versionResult;

    static int nvrtcVersion(MemorySegment major, MemorySegment minor) {
        if (versionResult != 0) return versionResult;
        major.reinterpret(4).set(JAVA_INT, 0, 12);
        minor.reinterpret(4).set(JAVA_INT, 0, 6);
        return 0;
    }

    static MemorySegment nvrtcGetErrorString(int result) {
        return MemorySegment.NULL;
    }

    @Test
    void candidatesGoNewestUsableMajorFirstBySonameThenTheToolkitFolders() {
        assertEquals(List.of("libnvrtc.so.13", "/opt/cuda/lib64/libnvrtc.so.13", "/usr/local/cuda/lib64/libnvrtc.so.13",
                        "libnvrtc.so.12", "/opt/cuda/lib64/libnvrtc.so.12", "/usr/local/cuda/lib64/libnvrtc.so.12"),
                Nvrtc.candidates(13, Map.of("CUDA_HOME", "/opt/cuda")));
        // A CUDA 12 driver cannot load what NVRTC 13 emits: 13 is not even tried.
        assertEquals(List.of("libnvrtc.so.12", "/usr/local/cuda/lib64/libnvrtc.so.12"), Nvrtc.candidates(12, Map.of()));
        assertEquals(List.of(), Nvrtc.candidates(11, Map.of()));
    }

    @Test
    void theVersionComesThroughARealDowncall() {
        try (var fake = new FakeLibrary(MethodHandles.lookup())) {
            fake.function("nvrtcVersion", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS))
                    .function("nvrtcGetErrorString", FunctionDescriptor.of(ADDRESS, JAVA_INT));
            var nvrtc = Nvrtc.bind(fake.library("libnvrtc.so.12"));
            versionResult = 0;
            assertEquals(new CudaVersion(12, 6), nvrtc.version());
            assertEquals("libnvrtc.so.12", nvrtc.library());
            versionResult = 3;
            assertEquals("nvrtcVersion: error 3",
                    assertThrows(CudaException.class, nvrtc::version).getMessage());
        }
    }

    @Test
    void withoutNvrtcTheMessageSaysWhereItLookedAndHowToInstallIt() {
        var environment = Map.of("CUDA_HOME", "/no/such/cuda");
        assumeTrue(NativeLibrary.open(Nvrtc.candidates(12, environment)).isEmpty(), "this host has NVRTC 12");
        var e = assertThrows(CudaException.class, () -> Nvrtc.load(12, environment));
        assertTrue(e.getMessage().startsWith("no NVRTC for a CUDA 12 driver: none of libnvrtc.so.12, "
                + "/no/such/cuda/lib64/libnvrtc.so.12"), e.getMessage());
        assertTrue(e.getMessage().contains("cuda-nvrtc-12-x") && e.getMessage().contains("nvidia-cuda-nvrtc-cu12"),
                e.getMessage());
    }
}
