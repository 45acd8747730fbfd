package ai.appliance.runtime.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.runtime.security.Principal;
import ai.appliance.runtime.security.Role;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.Test;

class RoutingPolicyTest {

    private static final Principal ANALYST = new Principal("analyst", Role.DEVELOPER, 0);
    private static final Principal STAFF = new Principal("staff", Role.USER, 0);
    private static final Principal CLINIC = new Principal("clinic", Role.USER, 0);
    private static final Principal SENSOR = new Principal("cert:sensor-9", Role.USER, 0);

    private static final RoutingPolicy POLICY = new RoutingPolicy(List.of(
            new RoutingRule(new Callers(Set.of(), Set.of(Role.DEVELOPER)), Set.of(), 0, "big"),
            new RoutingRule(new Callers(Set.of("cert:sensor-9"), Set.of()), Set.of("small"), 0, "edge-small"),
            new RoutingRule(Callers.NONE, Set.of(), 100, "big")),
            new Callers(Set.of("clinic"), Set.of(Role.AUDITOR)));

    private static IntSupplier tokens(int n, AtomicInteger asked) {
        return () -> {
            asked.incrementAndGet();
            return n;
        };
    }

    @Test
    void theFirstMatchingRuleDecidesAndAnUnmatchedRequestKeepsItsModel() {
        var asked = new AtomicInteger();
        assertEquals(new RouteDecision("big", false, 0), POLICY.decide("small", ANALYST, false, tokens(5, asked)));
        assertEquals(new RouteDecision("edge-small", false, 1), POLICY.decide("small", SENSOR, false, tokens(500, asked)));
        assertEquals(0, asked.get(), "rules before the length rule decided without measuring the prompt");
        assertEquals(new RouteDecision("small", false, -1), POLICY.decide("small", STAFF, false, tokens(99, asked)));
        assertEquals(new RouteDecision("big", false, 2), POLICY.decide("small", STAFF, false, tokens(100, asked)));
        assertEquals(new RouteDecision(null, false, -1), POLICY.decide(null, STAFF, false, tokens(3, asked)));
    }

    @Test
    void aRuleNamingModelsDoesNotMatchARequestThatNamesNone() {
        var asked = new AtomicInteger();
        assertEquals(new RouteDecision(null, false, -1), POLICY.decide(null, SENSOR, false, tokens(3, asked)));
    }

    @Test
    void localOnlyComesFromTheRequestOrFromTheCallersKeyOrRole() {
        var asked = new AtomicInteger();
        assertTrue(POLICY.decide("small", STAFF, true, tokens(3, asked)).localOnly());
        assertTrue(POLICY.decide("small", CLINIC, false, tokens(3, asked)).localOnly());
        assertTrue(POLICY.decide("small", new Principal("audit-bot", Role.AUDITOR, 0), false, tokens(3, asked))
                .localOnly());
        assertFalse(POLICY.decide("small", STAFF, false, tokens(3, asked)).localOnly());
        // A local-only caller is still routed by the rules; the serving path keeps it local.
        assertEquals("big", POLICY.decide("small", CLINIC, false, tokens(500, asked)).model());
    }

    @Test
    void aRuleWithoutATargetOrWithANegativeLengthIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new RoutingRule(Callers.NONE, Set.of(), 0, " "));
        assertThrows(IllegalArgumentException.class, () -> new RoutingRule(Callers.NONE, Set.of(), -1, "big"));
    }
}
