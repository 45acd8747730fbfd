package ai.appliance.runtime.mqtt;

/**
 * The broker connection the gateway needs, over MQTT 5 or MQTT 3.1.1 (Paho has one client per protocol). Both
 * keep a persistent session and acknowledge received messages only when told to.
 */
interface MqttTransport extends AutoCloseable {

    /**
     * A received request. {@code responseTopic}, {@code correlation}: MQTT 5 only, else null; {@code userProperties}
     * (MQTT 5; empty for 3.1.1) keeps the last value of each name.
     */
    record Incoming(String topic, byte[] payload, String responseTopic, byte[] correlation,
                    java.util.Map<String, String> userProperties, int messageId, int qos) {
        public Incoming {
            userProperties = java.util.Map.copyOf(userProperties);
        }

        /** The {@code authorization} user property (any case), or null. */
        String authorization() {
            for (var p : userProperties.entrySet()) {
                if (p.getKey().equalsIgnoreCase("authorization")) {
                    return p.getValue();
                }
            }
            return null;
        }
    }

    /** What the transport reports back. */
    interface Listener {
        void connected();

        void disconnected(String reason);

        /** Called on the client's thread: hand off, do not block. */
        void arrived(Incoming message);
    }

    /**
     * Connects with a retained last will; returns false if the first attempt failed (it keeps retrying in a
     * {@link ReconnectLoop} until connected or closed).
     */
    boolean connect(Listener listener, String willTopic, byte[] willPayload);

    boolean isConnected();

    void subscribe(String... topics) throws Exception;

    /** Publishes at QoS 1 and waits for the broker's acknowledgement. */
    void publish(String topic, byte[] payload, byte[] correlation, boolean retained) throws Exception;

    void ack(Incoming message) throws Exception;

    /** Normal disconnect (the last will is not sent). */
    @Override
    void close();

    /** "5" or "3.1.1", for logs and status. */
    String protocol();
}
