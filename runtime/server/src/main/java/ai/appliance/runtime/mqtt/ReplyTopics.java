package ai.appliance.runtime.mqtt;

import ai.appliance.runtime.config.ApplianceConfig.ReplyTopicRule;
import ai.appliance.runtime.security.Role;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import org.eclipse.paho.mqttv5.common.util.MqttTopicValidator;

/**
 * Where the gateway may publish a reply: a request's {@code reply_to} or MQTT 5 response topic must match one of
 * the filters configured for the requesting device or its role ({@code mqtt.reply-topics}), and never lies under
 * the appliance's own prefix (its status and request topics). Without it, a request could make the gateway publish
 * on any topic, its own retained status included, or into another device's replies.
 *
 * <p>The embedded broker grants each device subscriptions to exactly these filters, so a device can read the
 * replies it may ask for and no others.
 */
public final class ReplyTopics {

    /** Stands for the requesting device's id in patterns and in the device error topic. */
    public static final String DEVICE = "{device}";

    private final List<ReplyTopicRule> rules;
    private final String ownPrefix;
    private final String deviceErrorTopic;

    /**
     * @param ownPrefix        the gateway's topics ({@code appliance/{id}}): never a reply topic
     * @param deviceErrorTopic where errors go for an identified device that named no usable reply topic
     */
    public ReplyTopics(List<ReplyTopicRule> rules, String ownPrefix, String deviceErrorTopic) {
        this.rules = List.copyOf(rules);
        this.ownPrefix = ownPrefix;
        this.deviceErrorTopic = deviceErrorTopic;
    }

    /**
     * The filters {@code device} (with {@code role}) may receive replies on. For a requester with no identity
     * (anonymous on the loopback listener, or security off) {@code {device}} matches any one level.
     */
    public List<String> filtersFor(Optional<String> device, Role role) {
        var filters = new LinkedHashSet<String>();
        for (var rule : rules) {
            if (appliesTo(rule, device, role)) {
                filters.add(rule.pattern().replace(DEVICE, device.orElse("+")));
            }
        }
        return List.copyOf(filters);
    }

    /** Whether a reply to {@code topic} (no wildcards) may be published for this requester. */
    public boolean allows(String topic, Optional<String> device, Role role) {
        if (topic.equals(ownPrefix) || topic.startsWith(ownPrefix + "/")) {
            return false;
        }
        for (var filter : filtersFor(device, role)) {
            if (matches(filter, topic)) {
                return true;
            }
        }
        return false;
    }

    /** The error topic of an identified device. */
    public String errorTopic(String device) {
        return deviceErrorTopic.replace(DEVICE, device);
    }

    /** MQTT topic filter matching, including {@code a/#} matching {@code a} itself (MQTT 3.1.1 §4.7.1.2). */
    static boolean matches(String filter, String topic) {
        if (filter.endsWith("/#") && topic.equals(filter.substring(0, filter.length() - 2))) {
            return true;
        }
        return MqttTopicValidator.isMatched(filter, topic);
    }

    private static boolean appliesTo(ReplyTopicRule rule, Optional<String> device, Role role) {
        if (rule.device() != null && !device.map(rule.device()::equals).orElse(false)) {
            return false;
        }
        return rule.role() == null || rule.role() == role;
    }
}
