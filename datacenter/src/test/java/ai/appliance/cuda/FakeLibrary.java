package ai.appliance.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A stand-in for an NVIDIA library, made of FFM upcall stubs: each exported "C function" is a static method of the
 * test class, called back through a real native function pointer. The bindings then run their real downcalls,
 * marshalling and status checks without a GPU or a driver.
 */
final class FakeLibrary implements AutoCloseable {

    private final Arena arena = Arena.ofShared();
    private final Map<String, MemorySegment> symbols = new HashMap<>();
    private final MethodHandles.Lookup lookup;

    /** @param lookup the test class's lookup: its static methods named like the C functions are the fakes */
    FakeLibrary(MethodHandles.Lookup lookup) {
        this.lookup = lookup;
    }

    /** Exports the test class's static method {@code name} as a C function with the signature {@code descriptor}. */
    FakeLibrary function(String name, FunctionDescriptor descriptor) {
        try {
            var target = lookup.findStatic(lookup.lookupClass(), name, descriptor.toMethodType());
            symbols.put(name, Linker.nativeLinker().upcallStub(target, descriptor, arena));
            return this;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("no fake for " + name + descriptor, e);
        }
    }

    /** A NUL-terminated string that lives as long as this library, as the driver's static strings do. */
    MemorySegment cString(String text) {
        return arena.allocateFrom(text);
    }

    NativeLibrary library(String name) {
        return new NativeLibrary(name, symbol -> Optional.ofNullable(symbols.get(symbol)));
    }

    @Override
    public void close() {
        arena.close();
    }
}
