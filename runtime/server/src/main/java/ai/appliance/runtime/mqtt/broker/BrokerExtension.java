package ai.appliance.runtime.mqtt.broker;

import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import com.hivemq.extension.sdk.api.services.Services;

/**
 * The appliance's security inside the embedded HiveMQ, registered in code (an embedded extension) rather than
 * from a plugin folder: the authenticator with per-device permissions, and the identity stamp on every message.
 * {@link Services} is HiveMQ's registry, handed to extensions while the broker starts them.
 */
final class BrokerExtension implements ExtensionMain {

    private final BrokerAuthenticator authenticator;
    private final IdentityStamp stamp = new IdentityStamp();

    BrokerExtension(BrokerAuthenticator authenticator) {
        this.authenticator = authenticator;
    }

    @Override
    public void extensionStart(ExtensionStartInput input, ExtensionStartOutput output) {
        Services.securityRegistry().setAuthenticatorProvider(providerInput -> authenticator);
        Services.interceptorRegistry().setConnectInboundInterceptorProvider(providerInput -> stamp);
        Services.initializerRegistry().setClientInitializer(
                (initializerInput, client) -> client.addPublishInboundInterceptor(stamp));
    }

    @Override
    public void extensionStop(ExtensionStopInput input, ExtensionStopOutput output) {
    }
}
