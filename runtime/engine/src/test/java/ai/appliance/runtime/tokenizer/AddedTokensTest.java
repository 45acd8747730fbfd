package ai.appliance.runtime.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class AddedTokensTest {
    private final AddedTokens tokens = new AddedTokens(List.of(
            new AddedTokens.Entry("<a>", 1, true, false, false),
            new AddedTokens.Entry("<ab>", 2, true, false, false),
            new AddedTokens.Entry("<t>", 3, false, true, true)));

    private static AddedTokens.Segment text(String s) {
        return new AddedTokens.Segment(s, -1);
    }

    private static AddedTokens.Segment token(String s, int id) {
        return new AddedTokens.Segment(s, id);
    }

    @Test
    void leftmostMatchWinsThenTheLongest() {
        assertEquals(List.of(text("x"), token("<ab>", 2), token("<a>", 1), text("b")), tokens.split("x<ab><a>b", true));
    }

    @Test
    void lstripAndRstripSwallowNeighbouringWhitespace() {
        assertEquals(List.of(text("x"), token("<t>", 3), text("y ")), tokens.split("x  <t> \n y ", true));
    }

    @Test
    void specialTokensCanBeLeftAsText() {
        assertEquals(List.of(text("<a>"), token("<t>", 3)), tokens.split("<a><t>", false));
        assertEquals(List.of(), tokens.split("", true));
    }
}
