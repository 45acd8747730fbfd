package ai.appliance.runtime.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.runtime.config.ApplianceConfig.ReplyTopicRule;
import ai.appliance.runtime.security.Role;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ReplyTopicsTest {

    private static final String PREFIX = "appliance/box-7";
    private final ReplyTopics topics = new ReplyTopics(List.of(ReplyTopicRule.DEFAULT,
            new ReplyTopicRule("ops/#", Role.ADMIN, null),
            new ReplyTopicRule("#", Role.ADMIN, null),
            new ReplyTopicRule("plant/{device}/+/out", null, "line-7")), PREFIX, "devices/{device}/errors");

    @Test
    void aDeviceRepliesIntoItsOwnSubtreeOnly() {
        var line7 = Optional.of("line-7");
        assertTrue(topics.allows("devices/line-7/replies", line7, Role.USER));
        assertTrue(topics.allows("devices/line-7", line7, Role.USER), "a/# matches a itself");
        assertTrue(topics.allows("devices/line-7/a/b/c", line7, Role.USER));
        assertFalse(topics.allows("devices/line-8/replies", line7, Role.USER));
        assertFalse(topics.allows("devices/line-70/replies", line7, Role.USER));
        assertFalse(topics.allows("ops/x", line7, Role.USER));
    }

    @Test
    void rulesForARoleOrADeviceApplyOnlyToThem() {
        assertTrue(topics.allows("plant/line-7/a/out", Optional.of("line-7"), Role.USER));
        assertFalse(topics.allows("plant/line-7/a/b/out", Optional.of("line-7"), Role.USER));
        assertFalse(topics.allows("plant/line-8/a/out", Optional.of("line-8"), Role.USER));
        assertTrue(topics.allows("ops/reports", Optional.of("ops-1"), Role.ADMIN));
        assertEquals(List.of("devices/line-7/#", "plant/line-7/+/out"), topics.filtersFor(Optional.of("line-7"), Role.USER));
    }

    @Test
    void theGatewaysOwnTopicsAreNeverReplyTopicsEvenForARuleOfEverything() {
        var admin = Optional.of("ops-1");
        assertTrue(topics.allows("anything/at/all", admin, Role.ADMIN), "the '#' rule applies to admins");
        assertFalse(topics.allows(PREFIX + "/status", admin, Role.ADMIN));
        assertFalse(topics.allows(PREFIX + "/v1/chat/completions", admin, Role.ADMIN));
        assertFalse(topics.allows(PREFIX, admin, Role.ADMIN));
        assertTrue(topics.allows(PREFIX + "-other/status", admin, Role.ADMIN), "only this appliance's prefix");
    }

    @Test
    void anUnidentifiedRequesterMayNameAnyOneDevicesSubtreeButNothingElse() {
        assertEquals(List.of("devices/+/#"), topics.filtersFor(Optional.empty(), Role.USER));
        assertTrue(topics.allows("devices/a/replies", Optional.empty(), Role.USER));
        assertFalse(topics.allows("elsewhere/replies", Optional.empty(), Role.USER));
        assertEquals("devices/line-7/errors", topics.errorTopic("line-7"));
    }
}
