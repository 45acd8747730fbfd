package ai.appliance.cuda;

/**
 * A call into an NVIDIA library (CUDA driver, NVRTC, NVML) failed, or the library is not there. The message names the
 * call and the error, e.g. {@code cuInit: CUDA_ERROR_NO_DEVICE (100): no CUDA-capable device is detected}.
 */
public final class CudaException extends RuntimeException {

    /** {@link #code()} of failures that have no status code: a library or one of its functions is missing. */
    public static final int NO_STATUS = -1;

    private final String call;
    private final int code;

    public CudaException(String call, int code, String message) {
        super(message);
        this.call = call;
        this.code = code;
    }

    /**
     * A failed call's status: "call: NAME (code)" ("call: error code" without a name), then the library's own
     * description and what to do, where known.
     *
     * @param name the code's name in the library's header, or null when not known
     * @param description the library's text for the code (cuGetErrorString, nvmlErrorString), or null
     * @param hint what to do about it, or null
     */
    static CudaException status(String call, int code, String name, String description, String hint) {
        var message = new StringBuilder(call).append(": ");
        if (name != null) message.append(name).append(" (").append(code).append(')');
        else message.append("error ").append(code);
        if (description != null && !description.isBlank()) message.append(": ").append(description);
        if (hint != null) message.append(" (").append(hint).append(')');
        return new CudaException(call, code, message.toString());
    }

    /** The C function that failed, e.g. {@code cuInit}; {@code dlopen} when the library itself is missing. */
    public String call() {
        return call;
    }

    /** The status it returned (CUresult, nvmlReturn_t, nvrtcResult), or {@link #NO_STATUS}. */
    public int code() {
        return code;
    }
}
