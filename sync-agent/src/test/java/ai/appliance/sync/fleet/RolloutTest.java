package ai.appliance.sync.fleet;

import ai.appliance.sync.manifest.ChannelPointer;
import org.junit.jupiter.api.Test;

import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.*;

class RolloutTest {
    private static ChannelPointer pointer(int percent) {
        return new ChannelPointer("channel", 1, "m", "stable", 1, "2099-01-01T00:00:00Z", "v2", "a".repeat(64), 2, percent,
                new ChannelPointer.Target("v1", "b".repeat(64), 1));
    }

    @Test
    void twentyPercentOfTheFleetTakesTheNewVersionFirstAndTheChoiceIsStablePerDevice() {
        var p20 = pointer(20);
        long onV2 = IntStream.range(0, 1000).mapToObj(i -> "device-" + i)
                .filter(id -> Rollout.choose(p20, id).orElseThrow().version().equals("v2")).count();
        assertTrue(onV2 > 150 && onV2 < 250, "about 20% on v2, got " + onV2 + "/1000");
        for (int i = 0; i < 1000; i++) {
            var id = "device-" + i;
            assertEquals(Rollout.choose(p20, id), Rollout.choose(p20, id), "stable per device id");
            // Widening only adds devices: whoever had v2 at 20% still has it at 50%.
            if (Rollout.choose(p20, id).orElseThrow().version().equals("v2")) {
                assertEquals("v2", Rollout.choose(pointer(50), id).orElseThrow().version());
            }
        }
        assertEquals(1000, IntStream.range(0, 1000).filter(i -> Rollout.choose(pointer(100), "d" + i).orElseThrow().version().equals("v2")).count());
    }
}
