package ai.appliance.runtime.mqtt.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import ai.appliance.runtime.security.AccessControl;
import ai.appliance.runtime.security.ApiKeyStore;
import ai.appliance.runtime.security.Role;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ConnectPolicyTest {

    private static final String KEY = "key-of-line-7";
    private static final AccessControl ACCESS = new AccessControl(true, new ApiKeyStore(List.of(
            new ApiKeyStore.Entry("line-7", "sha256:" + ApiKeyStore.sha256Hex(KEY), Role.USER, 2),
            new ApiKeyStore.Entry("bad/name", "sha256:" + ApiKeyStore.sha256Hex("slash-key"), Role.USER, 0))),
            Map.of(), null, 5);

    private static ConnectPolicy.Presented login(String user, String password) {
        return new ConnectPolicy.Presented(Optional.empty(), Optional.ofNullable(user),
                Optional.ofNullable(password).map(p -> p.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void anApiKeyLogsInAsTheDeviceNamedLikeTheKey() {
        var policy = new ConnectPolicy(ACCESS, null, false, "gateway-secret", -1);
        var device = assertInstanceOf(ConnectPolicy.Device.class, policy.decide(login("line-7", KEY))).device();
        assertEquals("line-7", device.id());
        assertEquals(Role.USER, device.principal().role());
        assertEquals(2, device.principal().ratePerSecond());
        var mismatch = assertInstanceOf(ConnectPolicy.Refused.class, policy.decide(login("line-8", KEY)));
        assertEquals("the user name must be the API key's name", mismatch.reason());
        assertInstanceOf(ConnectPolicy.Refused.class, policy.decide(login("bad/name", "slash-key")),
                "a key name that is not one topic level cannot be a device id");
    }

    @Test
    void wrongCredentialsAreRefusedEvenWhereAnonymousClientsAreAllowed() {
        var policy = new ConnectPolicy(ACCESS, null, true, "gateway-secret", -1);
        assertInstanceOf(ConnectPolicy.Anonymous.class, policy.decide(login(null, null)));
        var wrong = assertInstanceOf(ConnectPolicy.Refused.class, policy.decide(login("line-7", "guess")));
        assertEquals(true, wrong.badCredentials());
        var gateway = assertInstanceOf(ConnectPolicy.Refused.class,
                policy.decide(login(ConnectPolicy.GATEWAY_USER, "guess")));
        assertEquals(true, gateway.badCredentials());
    }

    @Test
    void onlyTheGatewaysPasswordGetsTheGatewaysAccess() {
        var policy = new ConnectPolicy(ACCESS, null, false, "gateway-secret", 8883);
        assertInstanceOf(ConnectPolicy.Gateway.class, policy.decide(login(ConnectPolicy.GATEWAY_USER, "gateway-secret")));
        var nobody = assertInstanceOf(ConnectPolicy.Refused.class, policy.decide(login(null, null)));
        assertEquals("authentication required: connect with user name = API key name and password = API key, or"
                + " with a fleet client certificate on the TLS port 8883", nobody.reason());
    }
}
