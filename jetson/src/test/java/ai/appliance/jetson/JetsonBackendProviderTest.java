package ai.appliance.jetson;

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

import java.util.List;

import org.junit.jupiter.api.Test;

/** The 'jetson' provider as the engine sees it, next to datacenter's 'cuda' on the same class path. */
class JetsonBackendProviderTest {

    private static final JetsonBackendProvider PROVIDER = new JetsonBackendProvider();
    private static final GpuInventory.Gpu ORIN = new GpuInventory.Gpu(0, "Orin (nvgpu)", 7_802_896_384L, 8, 7, 8, true);
    private static final GpuInventory.Gpu XAVIER = new GpuInventory.Gpu(0, "Xavier", 16_523_018_240L, 7, 2, 8, true);
    private static final GpuInventory.Gpu RTX_4090 = new GpuInventory.Gpu(0, "NVIDIA GeForce RTX 4090",
            25_393_692_672L, 8, 9, 128, false);

    private static CudaProbe.Available host(GpuInventory.Gpu gpu) {
        return new CudaProbe.Available(new GpuInventory(new CudaVersion(12, 6), List.of(gpu)),
                "NVRTC 12.6 (libnvrtc.so.12)", true);
    }

    @Test
    void serviceLoaderFindsItBesideCudaAndNeitherClaimsThisHost() {
        assumeTrue(CudaProbe.host() instanceof CudaProbe.Unavailable, "this host has a usable NVIDIA driver");
        var installed = Backends.installed();
        assertInstanceOf(JetsonBackendProvider.class, installed.get("jetson"));
        assertTrue(installed.containsKey("cuda"), installed.keySet().toString());
        assertNotNull(installed.get("jetson").unavailableReason(), "no driver here: it must not claim this host");
    }

    @Test
    void onThisHostWithoutADriverTheReasonIsTheMissingLibrary() {
        assumeTrue(CudaProbe.host() instanceof CudaProbe.Unavailable);
        assertEquals("no NVIDIA driver: libcuda.so.1 not found", PROVIDER.unavailableReason());
    }

    @Test
    void openingItByNameFailsWithThatReason() {
        assumeTrue(CudaProbe.host() instanceof CudaProbe.Unavailable, "this host has a usable NVIDIA driver");
        var e = assertThrows(UnknownBackendException.class, () -> Backends.open("jetson", new BackendOptions(0)));
        assertEquals("backend 'jetson' cannot run on this host: " + PROVIDER.unavailableReason(), e.getMessage());
    }

    @Test
    void autoFallsBackToCpuPastBothGpuBackends() {
        assumeTrue(CudaProbe.host() instanceof CudaProbe.Unavailable, "this host has a usable NVIDIA driver");
        // The one log line's wording is the engine's (BackendsTest) and is checked with cuda's reason in datacenter.
        assertInstanceOf(CpuBackendProvider.class, Backends.provider(Backends.AUTO));
    }

    @Test
    void orinAndNewerGpusCanRunIt() {
        assertNull(PROVIDER.reason(host(ORIN)));
        assertNull(PROVIDER.reason(host(RTX_4090)));
        assertEquals("needs " + PROVIDER.requirement() + "; this host has CUDA 12.6 driver, 1 GPU: Xavier (sm_72, "
                + "15.4 GiB, integrated)", PROVIDER.reason(host(XAVIER)));
    }
}
