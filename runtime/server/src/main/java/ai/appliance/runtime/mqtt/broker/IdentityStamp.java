package ai.appliance.runtime.mqtt.broker;

import ai.appliance.runtime.mqtt.MqttDevice;
import com.hivemq.extension.sdk.api.interceptor.connect.ConnectInboundInterceptor;
import com.hivemq.extension.sdk.api.interceptor.connect.parameter.ConnectInboundInput;
import com.hivemq.extension.sdk.api.interceptor.connect.parameter.ConnectInboundOutput;
import com.hivemq.extension.sdk.api.interceptor.publish.PublishInboundInterceptor;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishInboundInput;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishInboundOutput;
import com.hivemq.extension.sdk.api.packets.general.ModifiableUserProperties;

/**
 * Puts the publisher's identity on every message ({@link MqttDevice}'s user properties, from what
 * {@link BrokerAuthenticator} kept with the connection) after removing any a client set itself, in publishes and
 * in last wills alike (a will is published by the broker on the client's behalf and would otherwise carry whatever
 * the client wrote). Anonymous clients' messages leave with no identity.
 */
final class IdentityStamp implements PublishInboundInterceptor, ConnectInboundInterceptor {

    @Override
    public void onInboundPublish(PublishInboundInput input, PublishInboundOutput output) {
        var properties = output.getPublishPacket().getUserProperties();
        strip(properties);
        var store = input.getConnectionInformation().getConnectionAttributeStore();
        for (var name : MqttDevice.PROPERTIES) {
            store.getAsString(name).ifPresent(value -> properties.addUserProperty(name, value));
        }
    }

    @Override
    public void onConnect(ConnectInboundInput input, ConnectInboundOutput output) {
        output.getConnectPacket().getModifiableWillPublish().ifPresent(will -> strip(will.getUserProperties()));
    }

    private static void strip(ModifiableUserProperties properties) {
        for (var name : MqttDevice.PROPERTIES) {
            properties.removeName(name);
        }
    }
}
