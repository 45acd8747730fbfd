package ai.appliance.runtime.mqtt.broker;

import ai.appliance.runtime.mqtt.MqttDevice;
import ai.appliance.runtime.mqtt.ReplyTopics;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The topics an authenticated device may use on the embedded broker; everything else is denied. It may publish
 * requests (not retained) to the gateway's two request topics, and subscribe to the reply topics the gateway would
 * answer it on (its own subtree by default), its own error topic and the appliance's retained status. So no device
 * can subscribe to {@code #}, to the gateway's request topics (other devices' prompts and API keys) or to another
 * device's replies, unless {@code mqtt.reply-topics} grants that explicitly.
 */
final class DevicePermissions {

    enum Activity { PUBLISH, SUBSCRIBE }

    /** One allowed topic filter. */
    record Grant(String filter, Activity activity) { }

    private final String topicPrefix;
    private final ReplyTopics replyTopics;

    DevicePermissions(String topicPrefix, ReplyTopics replyTopics) {
        this.topicPrefix = topicPrefix;
        this.replyTopics = replyTopics;
    }

    List<Grant> grants(MqttDevice device) {
        var grants = new ArrayList<Grant>();
        grants.add(new Grant(topicPrefix + "/v1/chat/completions", Activity.PUBLISH));
        grants.add(new Grant(topicPrefix + "/v1/completions", Activity.PUBLISH));
        for (var filter : replyTopics.filtersFor(Optional.of(device.id()), device.principal().role())) {
            grants.add(new Grant(filter, Activity.SUBSCRIBE));
        }
        grants.add(new Grant(replyTopics.errorTopic(device.id()), Activity.SUBSCRIBE));
        grants.add(new Grant(topicPrefix + "/status", Activity.SUBSCRIBE));
        return List.copyOf(grants);
    }
}
