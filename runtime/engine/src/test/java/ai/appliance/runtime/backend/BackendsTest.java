package ai.appliance.runtime.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BackendsTest {

    @Test
    void theCpuBackendIsFoundByNameAndIsTheDefault() {
        assertTrue(Backends.installed().containsKey("cpu"), Backends.installed().keySet().toString());
        try (var backend = Backends.open(null, new BackendOptions(1))) {
            assertInstanceOf(CpuBackend.class, backend);
        }
        assertEquals("cpu", Backends.provider(" cpu ").name());
    }

    @Test
    void anUnknownNameIsAnErrorListingTheInstalledBackends() {
        var e = assertThrows(UnknownBackendException.class, () -> Backends.open("cuda", new BackendOptions(1)));
        assertTrue(e.getMessage().contains("'cuda' is not installed") && e.getMessage().contains("cpu (CPU, Java Vector API)"),
                e.getMessage());
    }

    @Test
    void negativeThreadCountsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new BackendOptions(-1));
    }
}
