package ai.appliance.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Status code to message, without any NVIDIA library loaded. */
class CudaErrorsTest {

    @Test
    void driverCodesMapToTheirCudaHNames() {
        assertEquals("CUDA_SUCCESS", CudaErrors.name(0));
        assertEquals("CUDA_ERROR_OUT_OF_MEMORY", CudaErrors.name(2));
        assertEquals("CUDA_ERROR_STUB_LIBRARY", CudaErrors.name(34));
        assertEquals("CUDA_ERROR_NO_DEVICE", CudaErrors.name(100));
        assertEquals("CUDA_ERROR_UNSUPPORTED_PTX_VERSION", CudaErrors.name(222));
        assertEquals("CUDA_ERROR_ILLEGAL_ADDRESS", CudaErrors.name(700));
        assertEquals("CUDA_ERROR_SYSTEM_DRIVER_MISMATCH", CudaErrors.name(803));
        assertEquals("CUDA_ERROR_UNKNOWN", CudaErrors.name(999));
        assertEquals("CUresult 4242", CudaErrors.name(4242));
    }

    @Test
    void theCodesAHostProbeMeetsSayWhatToDo() {
        assertTrue(CudaErrors.hint(34).contains("stub"), CudaErrors.hint(34));
        assertTrue(CudaErrors.hint(803).contains("reboot"), CudaErrors.hint(803));
        assertNull(CudaErrors.hint(1));
    }

    @Test
    void theMessageNamesCallErrorDescriptionAndHint() {
        var e = CudaErrors.exception("cuInit", 34, "CUDA driver is a stub library");
        assertEquals("cuInit: CUDA_ERROR_STUB_LIBRARY (34): CUDA driver is a stub library (" + CudaErrors.hint(34) + ")",
                e.getMessage());
        assertEquals("cuMemAlloc_v2: CUDA_ERROR_OUT_OF_MEMORY (2)", CudaErrors.exception("cuMemAlloc_v2", 2, null)
                .getMessage());
    }

    @Test
    void nvmlCodesMapToTheirNames() {
        assertEquals("NVML_ERROR_NOT_SUPPORTED", Nvml.name(3));
        assertEquals("NVML_ERROR_DRIVER_NOT_LOADED", Nvml.name(9));
        assertEquals("NVML_ERROR_LIB_RM_VERSION_MISMATCH", Nvml.name(18));
        assertEquals("NVML_ERROR_UNKNOWN", Nvml.name(999));
        assertEquals("nvmlReturn_t 77", Nvml.name(77));
    }
}
