package ai.appliance.datacenter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.appliance.cuda.CudaProbe;
import ai.appliance.cuda.CudaVersion;
import ai.appliance.cuda.GpuInventory;
import ai.appliance.runtime.backend.BackendOptions;
import ai.appliance.runtime.backend.Backends;
import ai.appliance.runtime.backend.CpuBackendProvider;
import ai.appliance.runtime.backend.UnknownBackendException;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.Test;

/** The 'cuda' provider as the engine sees it: found by ServiceLoader, honest about why it cannot run. */
class CudaBackendProviderTest {

    private static final GpuInventory.Gpu H100 = new GpuInventory.Gpu(0, "NVIDIA H100 80GB HBM3", 85_031_714_816L, 9, 0,
            132, false);
    private static final GpuInventory.Gpu ORIN = new GpuInventory.Gpu(0, "Orin (nvgpu)", 7_802_896_384L, 8, 7, 8, true);
    private static final GpuInventory.Gpu T4 = new GpuInventory.Gpu(0, "Tesla T4", 15_655_829_504L, 7, 5, 40, false);

    private static final CudaBackendProvider PROVIDER = new CudaBackendProvider();

    private static CudaProbe.Available host(GpuInventory.Gpu... gpus) {
        return new CudaProbe.Available(new GpuInventory(new CudaVersion(12, 4), List.of(gpus)),
                "NVRTC 12.4 (libnvrtc.so.12)", true);
    }

    @Test
    void serviceLoaderFindsItAndItReportsWhyItCannotRunHere() {
        assumeTrue(CudaProbe.host() instanceof CudaProbe.Unavailable, "this host has a usable NVIDIA driver");
        var provider = Backends.installed().get("cuda");
        assertInstanceOf(CudaBackendProvider.class, provider);
        assertEquals(((CudaProbe.Unavailable) CudaProbe.host()).reason(), provider.unavailableReason());
    }

    @Test
    void onThisHostWithoutADriverTheReasonIsTheMissingLibrary() {
        assumeTrue(CudaProbe.host() instanceof CudaProbe.Unavailable);
        assertEquals("no NVIDIA driver: libcuda.so.1 not found", new CudaBackendProvider().unavailableReason());
    }

    @Test
    void openingItByNameFailsWithThatReasonNotACrash() {
        assumeTrue(CudaProbe.host() instanceof CudaProbe.Unavailable, "this host has a usable NVIDIA driver");
        var reason = new CudaBackendProvider().unavailableReason();
        var e = assertThrows(UnknownBackendException.class, () -> Backends.open("cuda", new BackendOptions(1)));
        assertEquals("backend 'cuda' cannot run on this host: " + reason, e.getMessage());
        var direct = assertThrows(UnknownBackendException.class,
                () -> new CudaBackendProvider().create(new BackendOptions(1)));
        assertEquals(e.getMessage(), direct.getMessage());
    }

    @Test
    void autoFallsBackToCpuAndItsOneLogLineSaysWhy() {
        assumeTrue(CudaProbe.host() instanceof CudaProbe.Unavailable, "this host has a usable NVIDIA driver");
        var logger = Logger.getLogger(Backends.class.getName());
        var lines = new ArrayList<String>();
        var handler = new Handler() {
            @Override public void publish(LogRecord r) { lines.add(r.getMessage()); }
            @Override public void flush() { }
            @Override public void close() { }
        };
        logger.addHandler(handler);
        try {
            assertInstanceOf(CpuBackendProvider.class, Backends.provider(Backends.AUTO));
        } finally {
            logger.removeHandler(handler);
        }
        assertEquals(List.of("no GPU backend can run here (cuda: " + new CudaBackendProvider().unavailableReason()
                + "): using cpu"), lines);
    }

    @Test
    void theReasonWalksDriverThenGpusThenTheCompiler() {
        assertEquals("no NVIDIA driver: libcuda.so.1 not found",
                PROVIDER.reason(new CudaProbe.Unavailable("no NVIDIA driver: libcuda.so.1 not found")));
        assertEquals("the NVIDIA driver sees no GPU (CUDA 12.4 driver, no GPU)", PROVIDER.reason(host()));
        assertTrue(PROVIDER.reason(host(ORIN)).startsWith("needs " + PROVIDER.requirement()),
                "an integrated GPU is the jetson backend's");
        assertTrue(PROVIDER.reason(host(T4)).contains("Tesla T4 (sm_75"), "no BF16 before sm_80");
        assertNull(PROVIDER.reason(host(T4, H100)), "the H100 suits it");
        var noCompiler = new CudaProbe.Available(host(H100).inventory(), "no NVRTC", false);
        assertEquals("CUDA 12.4 driver, 1 GPU: NVIDIA H100 80GB HBM3 (sm_90, 79.2 GiB); but the kernels cannot be"
                + " compiled: no NVRTC", PROVIDER.reason(noCompiler));
    }
}
