package ai.appliance.runtime.mqtt.broker;

import com.hivemq.extension.sdk.api.auth.SimpleAuthenticator;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthInput;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthOutput;
import com.hivemq.extension.sdk.api.auth.parameter.TopicPermission;
import com.hivemq.extension.sdk.api.client.parameter.ClientTlsInformation;
import com.hivemq.extension.sdk.api.packets.auth.DefaultAuthorizationBehaviour;
import com.hivemq.extension.sdk.api.packets.connect.ConnackReasonCode;
import com.hivemq.extension.sdk.api.services.builder.Builders;
import java.nio.ByteBuffer;
import java.util.logging.Logger;

/**
 * HiveMQ's side of {@link ConnectPolicy}: reads the CONNECT and the TLS session, applies the decision, gives an
 * authenticated device its topic permissions ({@link DevicePermissions}, all else denied) and keeps its identity
 * with the connection for {@link IdentityStamp}.
 */
final class BrokerAuthenticator implements SimpleAuthenticator {

    private static final Logger LOG = Logger.getLogger(BrokerAuthenticator.class.getName());

    private final ConnectPolicy policy;
    private final DevicePermissions permissions;

    BrokerAuthenticator(ConnectPolicy policy, DevicePermissions permissions) {
        this.policy = policy;
        this.permissions = permissions;
    }

    @Override
    public void onConnect(SimpleAuthInput input, SimpleAuthOutput output) {
        var connect = input.getConnectPacket();
        var information = input.getConnectionInformation();
        var chain = information.getClientTlsInformation().flatMap(ClientTlsInformation::getClientCertificateChain);
        var admission = policy.decide(new ConnectPolicy.Presented(chain, connect.getUserName(),
                connect.getPassword().map(BrokerAuthenticator::bytes)));
        switch (admission) {
            case ConnectPolicy.Gateway _, ConnectPolicy.Anonymous _ -> {
                output.getDefaultPermissions().setDefaultBehaviour(DefaultAuthorizationBehaviour.ALLOW);
                output.authenticateSuccessfully();
            }
            case ConnectPolicy.Device d -> {
                var store = information.getConnectionAttributeStore();
                d.device().toProperties().forEach(store::putAsString);
                var allowed = output.getDefaultPermissions();
                for (var grant : permissions.grants(d.device())) {
                    boolean publish = grant.activity() == DevicePermissions.Activity.PUBLISH;
                    allowed.add(Builders.topicPermission()
                            .topicFilter(grant.filter())
                            .type(TopicPermission.PermissionType.ALLOW)
                            .activity(publish ? TopicPermission.MqttActivity.PUBLISH : TopicPermission.MqttActivity.SUBSCRIBE)
                            // A device's requests are never retained (a retained request would be run again for
                            // every new subscriber); what it subscribes to may be (the appliance's status is).
                            .retain(publish ? TopicPermission.Retain.NOT_RETAINED : TopicPermission.Retain.ALL)
                            .sharedSubscription(TopicPermission.SharedSubscription.NOT_SHARED)
                            .build());
                }
                allowed.setDefaultBehaviour(DefaultAuthorizationBehaviour.DENY);
                output.authenticateSuccessfully();
            }
            case ConnectPolicy.Refused r -> {
                var from = information.getInetAddress().map(Object::toString).orElse("?");
                LOG.warning(() -> "MQTT client '" + connect.getClientId() + "' from " + from + " refused: " + r.reason());
                output.failAuthentication(r.badCredentials() ? ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD
                        : ConnackReasonCode.NOT_AUTHORIZED, r.reason());
            }
        }
    }

    private static byte[] bytes(ByteBuffer buffer) {
        var copy = new byte[buffer.remaining()];
        buffer.duplicate().get(copy);
        return copy;
    }
}
