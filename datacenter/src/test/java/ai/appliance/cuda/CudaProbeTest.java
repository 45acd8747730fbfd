package ai.appliance.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The shared host probe: driver failures become reasons, NVRTC is optional, GPUs are filtered per backend. */
class CudaProbeTest {

    static final GpuInventory.Gpu H100 = new GpuInventory.Gpu(0, "NVIDIA H100 80GB HBM3", 85_031_714_816L, 9, 0, 132,
            false);
    static final GpuInventory.Gpu V100 = new GpuInventory.Gpu(0, "Tesla V100-SXM2-32GB", 34_089_730_048L, 7, 0, 80, false);

    @Test
    void aMissingDriverIsAReasonNotAnException() {
        var result = CudaProbe.probe(() -> CudaDriver.load(List.of("libcuda-absent.so.1")), major -> {
            throw new AssertionError("NVRTC is not looked for without a driver");
        });
        assertEquals(new CudaProbe.Unavailable("no NVIDIA driver: libcuda-absent.so.1 not found"), result);
        var broken = CudaProbe.probe(() -> {
            throw new UnsatisfiedLinkError("wrong ELF class");
        }, major -> null);
        assertEquals(new CudaProbe.Unavailable("CUDA driver probe failed: java.lang.UnsatisfiedLinkError: wrong ELF class"),
                broken);
    }

    @Test
    void thisHostIsProbedOnceAndNeverThrows() {
        var first = CudaProbe.host();
        assertSame(first, CudaProbe.host());
        if (NativeLibrary.open(List.of(CudaDriver.LIBRARY)).isEmpty()) {
            assertEquals(new CudaProbe.Unavailable("no NVIDIA driver: libcuda.so.1 not found"), first);
        }
    }

    @Test
    void gpusAreFilteredByWhatTheBackendNeeds() {
        String need = "a GPU of compute capability 8.0 or newer";
        var none = new CudaProbe.Available(new GpuInventory(new CudaVersion(12, 4), List.of()), "NVRTC 12.4 (x)", true);
        assertEquals("the NVIDIA driver sees no GPU (CUDA 12.4 driver, no GPU)",
                CudaProbe.unusable(none, gpu -> true, need));
        var old = new CudaProbe.Available(new GpuInventory(new CudaVersion(12, 2), List.of(V100)), "NVRTC 12.2 (x)", true);
        assertEquals("needs " + need + "; this host has CUDA 12.2 driver, 1 GPU: Tesla V100-SXM2-32GB (sm_70, 31.7 GiB)",
                CudaProbe.unusable(old, gpu -> gpu.atLeast(8, 0), need));
        var hopper = new CudaProbe.Available(new GpuInventory(new CudaVersion(12, 4), List.of(H100, H100)),
                "NVRTC 12.4 (libnvrtc.so.12)", true);
        assertNull(CudaProbe.unusable(hopper, gpu -> gpu.atLeast(8, 0), need));
        assertNull(CudaProbe.compilerMissing(hopper));
        var noCompiler = new CudaProbe.Available(hopper.inventory(), "no NVRTC for a CUDA 12 driver: ...", false);
        assertEquals("CUDA 12.4 driver, 2 GPUs: 2 x NVIDIA H100 80GB HBM3 (sm_90, 79.2 GiB); but the kernels cannot be"
                + " compiled: no NVRTC for a CUDA 12 driver: ...", CudaProbe.compilerMissing(noCompiler));
        assertInstanceOf(String.class, CudaProbe.unusable(new CudaProbe.Unavailable("x"), gpu -> true, need));
    }
}
