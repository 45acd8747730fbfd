package ai.appliance.cuda;

import java.util.Map;

/**
 * CUresult codes of the CUDA driver API: their names (from cuda.h, so they read the same with or without a driver) and,
 * for the codes a host probe meets, what to do about them.
 */
public final class CudaErrors {

    private static final ErrorNames NAMES = ErrorNames.load("curesult.properties", "CUresult");

    private static final Map<Integer, String> HINTS = Map.of(
            34, "this libcuda.so.1 is the CUDA toolkit's link-time stub (lib64/stubs), not the driver's: take the stubs"
                    + " folder off LD_LIBRARY_PATH",
            46, "the GPUs are in exclusive-process compute mode and taken, or otherwise unavailable: see"
                    + " nvidia-smi -q -d COMPUTE",
            100, "the driver sees no GPU: check nvidia-smi; in a container, request the GPUs (NVIDIA container toolkit)",
            209, "the kernels were not compiled for this GPU's architecture",
            222, "the PTX is newer than this driver can compile: upgrade the driver or generate CUBIN with NVRTC",
            803, "libcuda.so.1 and the loaded kernel module are different driver versions: reboot after the driver"
                    + " upgrade, or reinstall the driver",
            804, "a CUDA forward-compatibility libcuda.so.1 (cuda-compat) is on the library path but this GPU does not"
                    + " support it: take it off LD_LIBRARY_PATH",
            999, "see the kernel log (dmesg) for NVRM and Xid errors");

    public static final int SUCCESS = 0;

    private CudaErrors() {
    }

    /** E.g. {@code CUDA_ERROR_NO_DEVICE} for 100; {@code CUresult 12345} for a code this table does not know. */
    public static String name(int code) {
        return NAMES.name(code);
    }

    /** What an operator can do about {@code code}, or null when there is nothing specific to say. */
    public static String hint(int code) {
        return HINTS.get(code);
    }

    /** The exception for a failed driver call; {@code description} is the driver's cuGetErrorString text or null. */
    public static CudaException exception(String call, int code, String description) {
        return CudaException.status(call, code, NAMES.known(code), description, hint(code));
    }
}
