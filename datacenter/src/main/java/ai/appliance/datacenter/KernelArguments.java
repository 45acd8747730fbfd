package ai.appliance.datacenter;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The argument block of a kernel launch (cuLaunchKernel's {@code void** kernelParams}): one 8-byte slot per argument
 * and an array pointing at each slot, allocated once and refilled for every launch.
 */
final class KernelArguments {
    static final int MAX = 16;
    private final MemorySegment values;
    private final MemorySegment pointers;
    private int count;

    KernelArguments(Arena arena) {
        values = arena.allocate(8L * MAX, 8);
        pointers = arena.allocate(ADDRESS, MAX);
        for (int i = 0; i < MAX; i++) pointers.setAtIndex(ADDRESS, i, values.asSlice(8L * i));
    }

    KernelArguments start() {
        count = 0;
        return this;
    }

    /** A device pointer (CUdeviceptr, T*). */
    KernelArguments pointer(long address) {
        values.set(JAVA_LONG, 8L * next(), address);
        return this;
    }

    KernelArguments integer(int value) {
        values.set(JAVA_INT, 8L * next(), value);
        return this;
    }

    KernelArguments real(float value) {
        values.set(JAVA_FLOAT, 8L * next(), value);
        return this;
    }

    MemorySegment parameters() {
        return pointers;
    }

    private int next() {
        if (count == MAX) throw new IllegalStateException("more than " + MAX + " kernel arguments");
        return count++;
    }
}
