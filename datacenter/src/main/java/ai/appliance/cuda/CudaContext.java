package ai.appliance.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * One GPU's primary context and what runs in it, through the driver API: device memory, copies, modules and kernel
 * launches. Work goes to the legacy default stream in order; the copies to the host wait for it. The calls of a
 * forward pass (launches, small copies) are exact-typed downcalls, so a decode step of a few hundred launches costs
 * no boxing. Not thread-safe: a backend calls it under its model's lock.
 */
public final class CudaContext implements AutoCloseable {

    private static final FunctionDescriptor LAUNCH = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT,
            JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS);

    private final CudaDriver driver;
    private final int device;
    private final MemorySegment context;
    private final MethodHandle ctxSetCurrent, primaryRelease, memAlloc, memFree, copyHtoD, copyDtoH, copyDtoD,
            memsetD32, memGetInfo, moduleLoadData, moduleGetFunction, launchKernel, ctxSynchronize, memAllocHost,
            memFreeHost;
    private final Arena scratch = Arena.ofShared();
    private final MemorySegment outPointer = scratch.allocate(JAVA_LONG);
    private final MemorySegment outPointer2 = scratch.allocate(JAVA_LONG);

    private CudaContext(CudaDriver driver, NativeLibrary library, int ordinal) {
        this.driver = driver;
        var retain = library.function("cuDevicePrimaryCtxRetain", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        ctxSetCurrent = library.function("cuCtxSetCurrent", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        primaryRelease = library.function("cuDevicePrimaryCtxRelease_v2", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        memAlloc = library.function("cuMemAlloc_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
        memFree = library.function("cuMemFree_v2", FunctionDescriptor.of(JAVA_INT, JAVA_LONG));
        copyHtoD = library.function("cuMemcpyHtoD_v2", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS, JAVA_LONG));
        copyDtoH = library.function("cuMemcpyDtoH_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG));
        copyDtoD = library.function("cuMemcpyDtoD_v2", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG));
        memsetD32 = library.function("cuMemsetD32_v2", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_LONG));
        memGetInfo = library.function("cuMemGetInfo_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        moduleLoadData = library.function("cuModuleLoadData", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        moduleGetFunction = library.function("cuModuleGetFunction", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        launchKernel = library.function("cuLaunchKernel", LAUNCH);
        ctxSynchronize = library.function("cuCtxSynchronize", FunctionDescriptor.of(JAVA_INT));
        memAllocHost = library.function("cuMemAllocHost_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
        memFreeHost = library.function("cuMemFreeHost", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        this.device = driver.device(ordinal);
        check("cuDevicePrimaryCtxRetain", NativeLibrary.status(retain, outPointer, device));
        this.context = outPointer.get(ADDRESS, 0);
        makeCurrent();
    }

    /** The primary context of GPU {@code ordinal}, current on the calling thread. */
    public static CudaContext open(CudaDriver driver, int ordinal) {
        return new CudaContext(driver, driver.nativeLibrary(), ordinal);
    }

    public CudaDriver driver() {
        return driver;
    }

    public int device() {
        return device;
    }

    /** Makes this context current on the calling thread (each thread that calls into it must). */
    public void makeCurrent() {
        try {
            check("cuCtxSetCurrent", (int) ctxSetCurrent.invokeExact(context));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Device memory of {@code bytes}; its address. */
    public long allocate(long bytes) {
        try {
            check("cuMemAlloc_v2 (" + bytes + " bytes)", (int) memAlloc.invokeExact(outPointer, Math.max(bytes, 1L)));
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return outPointer.get(JAVA_LONG, 0);
    }

    public void free(long address) {
        try {
            check("cuMemFree_v2", (int) memFree.invokeExact(address));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Page-locked host memory of {@code bytes}, which copies reach at full speed; free with {@link #freeHost}. */
    public MemorySegment allocateHost(long bytes) {
        try {
            check("cuMemAllocHost_v2 (" + bytes + " bytes)", (int) memAllocHost.invokeExact(outPointer, bytes));
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return outPointer.get(ADDRESS, 0).reinterpret(bytes);
    }

    public void freeHost(MemorySegment host) {
        try {
            check("cuMemFreeHost", (int) memFreeHost.invokeExact(host));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public void copyToDevice(long target, MemorySegment source, long bytes) {
        try {
            check("cuMemcpyHtoD_v2", (int) copyHtoD.invokeExact(target, source, bytes));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Waits for the work queued before it, then copies. */
    public void copyToHost(MemorySegment target, long source, long bytes) {
        try {
            check("cuMemcpyDtoH_v2", (int) copyDtoH.invokeExact(target, source, bytes));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public void copyOnDevice(long target, long source, long bytes) {
        try {
            check("cuMemcpyDtoD_v2", (int) copyDtoD.invokeExact(target, source, bytes));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Sets {@code count} 32-bit words from {@code target} to {@code value}. */
    public void fill(long target, int value, long count) {
        try {
            check("cuMemsetD32_v2", (int) memsetD32.invokeExact(target, value, count));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Free and total device memory in bytes. */
    public long[] memoryInfo() {
        try {
            check("cuMemGetInfo_v2", (int) memGetInfo.invokeExact(outPointer, outPointer2));
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return new long[]{outPointer.get(JAVA_LONG, 0), outPointer2.get(JAVA_LONG, 0)};
    }

    /** Loads a CUBIN (or PTX) image; the module lives as long as the context. */
    public MemorySegment loadModule(byte[] image) {
        try (var arena = Arena.ofConfined()) {
            var data = arena.allocate(image.length + 1L);
            data.copyFrom(MemorySegment.ofArray(image));
            check("cuModuleLoadData", (int) moduleLoadData.invokeExact(outPointer, data));
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return outPointer.get(ADDRESS, 0);
    }

    public MemorySegment function(MemorySegment module, String name) {
        try (var arena = Arena.ofConfined()) {
            check("cuModuleGetFunction (" + name + ")",
                    (int) moduleGetFunction.invokeExact(outPointer, module, arena.allocateFrom(name)));
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return outPointer.get(ADDRESS, 0);
    }

    /** Queues {@code function} on the default stream; {@code parameters} is the array of pointers to each argument. */
    public void launch(MemorySegment function, int gridX, int gridY, int gridZ, int blockX, int blockY, int blockZ,
                       int sharedBytes, MemorySegment parameters) {
        int status;
        try {
            status = (int) launchKernel.invokeExact(function, gridX, gridY, gridZ, blockX, blockY, blockZ, sharedBytes,
                    MemorySegment.NULL, parameters, MemorySegment.NULL);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check("cuLaunchKernel", status);
    }

    /** Waits for every queued operation; reports a kernel's failure (an illegal address, say). */
    public void synchronize() {
        try {
            check("cuCtxSynchronize", (int) ctxSynchronize.invokeExact());
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public void close() {
        NativeLibrary.status(primaryRelease, device);
        scratch.close();
    }

    private void check(String call, int status) {
        if (status != CudaErrors.SUCCESS) throw CudaErrors.exception(call, status, driver.errorString(status));
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }
}
