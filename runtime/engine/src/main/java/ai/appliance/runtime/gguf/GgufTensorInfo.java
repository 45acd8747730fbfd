package ai.appliance.runtime.gguf;

import ai.appliance.runtime.tensor.GgmlType;

/**
 * A tensor's header entry.
 *
 * @param shape  outermost dimension first (GGUF stores innermost first; the reader reverses)
 * @param offset byte offset of its data from the start of the data section
 * @param size   bytes of its data
 */
public record GgufTensorInfo(String name, GgmlType type, long[] shape, long offset, long size) {
    public long elementCount() {
        long n = 1;
        for (long d : shape) n *= d;
        return n;
    }
}
