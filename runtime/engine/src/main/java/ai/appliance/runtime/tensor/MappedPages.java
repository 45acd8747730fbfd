package ai.appliance.runtime.tensor;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Locale;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Asks Linux to back a read-only file mapping with 2 MiB pages where the file system allows it
 * ({@code madvise(MADV_HUGEPAGE)}). Whenever the page cache (re)reads the model through the mapping
 * (a cold start, or after the host reclaimed the cache) it then reads whole 2 MiB folios and maps
 * them with one page-table entry each. Decode reads every weight once per token, so the TLB misses
 * of 4 KiB pages, and the prefetcher stopping at every 4 KiB boundary, cost it 20-60 % on the
 * Zen 5 VM (docs/benchmarks.md, "Huge pages and the page cache"). Best effort: elsewhere, or where
 * the kernel refuses, the mapping stays as it was.
 */
public final class MappedPages {
    private static final Logger LOG = Logger.getLogger(MappedPages.class.getName());
    /** MADV_HUGEPAGE in Linux's uapi mman-common.h, the same on every architecture. */
    private static final int MADV_HUGEPAGE = 14;
    private static final MethodHandle MADVISE = madvise();

    private MappedPages() {
    }

    /** Whether the advice was taken; false where there is no Linux madvise or it refused. */
    public static boolean adviseHugePages(MemorySegment mapping) {
        if (MADVISE == null || mapping.byteSize() == 0 || !mapping.isNative()) return false;
        try {
            int result = (int) MADVISE.invokeExact(mapping, mapping.byteSize(), MADV_HUGEPAGE);
            if (result != 0) LOG.fine("madvise(MADV_HUGEPAGE) refused; the model stays in whatever pages the cache has");
            return result == 0;
        } catch (Throwable e) {
            LOG.log(Level.FINE, "madvise(MADV_HUGEPAGE) failed", e);
            return false;
        }
    }

    private static MethodHandle madvise() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) return null;
        try {
            var linker = Linker.nativeLinker();
            return linker.defaultLookup().find("madvise")
                    .map(address -> linker.downcallHandle(address,
                            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT)))
                    .orElse(null);
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "no madvise: model mappings keep the kernel's default pages", e);
            return null;
        }
    }
}
