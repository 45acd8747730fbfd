package ai.appliance.runtime.mqtt.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.appliance.runtime.config.ApplianceConfig.ReplyTopicRule;
import ai.appliance.runtime.mqtt.MqttDevice;
import ai.appliance.runtime.mqtt.ReplyTopics;
import ai.appliance.runtime.security.Principal;
import ai.appliance.runtime.security.Role;
import java.util.List;
import org.junit.jupiter.api.Test;

class DevicePermissionsTest {

    @Test
    void aDevicePublishesRequestsAndSubscribesToItsOwnRepliesErrorsAndTheStatusOnly() {
        var permissions = new DevicePermissions("appliance/box-7", new ReplyTopics(List.of(ReplyTopicRule.DEFAULT),
                "appliance/box-7", "devices/{device}/errors"));
        var grants = permissions.grants(new MqttDevice("line-7", new Principal("line-7", Role.USER, 5)));
        var publish = DevicePermissions.Activity.PUBLISH;
        var subscribe = DevicePermissions.Activity.SUBSCRIBE;
        assertEquals(List.of(
                new DevicePermissions.Grant("appliance/box-7/v1/chat/completions", publish),
                new DevicePermissions.Grant("appliance/box-7/v1/completions", publish),
                new DevicePermissions.Grant("devices/line-7/#", subscribe),
                new DevicePermissions.Grant("devices/line-7/errors", subscribe),
                new DevicePermissions.Grant("appliance/box-7/status", subscribe)), grants);
    }
}
