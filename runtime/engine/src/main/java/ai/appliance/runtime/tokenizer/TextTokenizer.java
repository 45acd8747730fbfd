package ai.appliance.runtime.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The one {@link Tokenizer} implementation: added-token extraction, normalization, pre-tokenization and a word
 * model, assembled by the HF and GGUF loaders from what each file describes.
 */
final class TextTokenizer implements Tokenizer {

    /** How a vocabulary's token texts turn back into bytes. */
    enum Decoding {
        /** GPT-2 byte-level characters. */
        BYTE_LEVEL,
        /** SentencePiece: {@code ▁} is a space and {@code <0xXX>} a raw byte. */
        SPACE_MARKER
    }

    private final Vocabulary vocab;
    private final byte[][] bytes;
    private final AddedTokens addedTokens;
    private final SegmentNormalizer normalizer;
    private final List<PreTokenizer> preTokenizers;
    private final WordModel model;
    private final int bosId;
    private final int eosId;
    private final boolean addBos;
    private final Set<Integer> specialIds;
    private final boolean stripLeadingSpace;
    private final Set<Integer> endOfGeneration;

    private TextTokenizer(Builder b) {
        this.vocab = Objects.requireNonNull(b.vocab, "vocabulary");
        this.model = Objects.requireNonNull(b.model, "word model");
        this.addedTokens = new AddedTokens(b.addedTokens);
        this.normalizer = b.normalizer;
        this.preTokenizers = List.copyOf(b.preTokenizers);
        this.bosId = b.bosId;
        this.eosId = b.eosId;
        this.addBos = b.addBos;
        this.stripLeadingSpace = b.stripLeadingSpace;
        var eog = new TreeSet<Integer>();
        if (b.eosId >= 0) eog.add(b.eosId);
        for (int id : b.extraEndIds) if (id >= 0 && id < vocab.size()) eog.add(id);
        this.endOfGeneration = Set.copyOf(eog);
        var special = new TreeSet<Integer>();
        for (var e : b.addedTokens) if (e.special()) special.add(e.id());
        this.specialIds = Set.copyOf(special);
        var literal = new java.util.HashMap<Integer, String>();
        for (var e : b.addedTokens) literal.put(e.id(), e.content());
        this.bytes = new byte[vocab.size()][];
        for (int id = 0; id < vocab.size(); id++) {
            String text = literal.get(id);
            bytes[id] = text != null ? text.getBytes(StandardCharsets.UTF_8) : pieceBytes(id, b.decoding);
        }
    }

    private byte[] pieceBytes(int id, Decoding decoding) {
        String text = vocab.text(id);
        if (text == null) return new byte[0];
        var kind = vocab.kind(id);
        if (kind == TokenKind.CONTROL || kind == TokenKind.USER_DEFINED || kind == TokenKind.UNKNOWN) {
            return text.getBytes(StandardCharsets.UTF_8);
        }
        return switch (decoding) {
            case BYTE_LEVEL -> ByteLevel.decode(text);
            case SPACE_MARKER -> {
                if (text.length() == 6 && text.startsWith("<0x") && text.endsWith(">")) {
                    try {
                        yield new byte[]{(byte) Integer.parseInt(text.substring(3, 5), 16)};
                    } catch (NumberFormatException notAByte) {
                        // an ordinary token that merely looks like one
                    }
                }
                yield text.replace('\u2581', ' ').getBytes(StandardCharsets.UTF_8);
            }
        };
    }

    @Override
    public int[] encode(String text, boolean parseSpecialTokens) {
        var out = new IntList();
        boolean afterToken = true;
        boolean first = true;
        for (var segment : addedTokens.split(text, parseSpecialTokens)) {
            boolean atInputStart = first;
            first = false;
            if (segment.isToken()) {
                out.add(segment.id());
                afterToken = true;
                continue;
            }
            var normalized = normalizer.apply(segment.text(), afterToken);
            afterToken = false;
            for (var piece : PreTokenizer.apply(preTokenizers, normalized, atInputStart)) model.encode(piece, out);
        }
        return out.toArray();
    }

    @Override
    public StreamingDecoder newStreamingDecoder(boolean skipSpecialTokens) {
        if (!skipSpecialTokens) return new StreamingDecoder(this::tokenBytes, stripLeadingSpace);
        return new StreamingDecoder(id -> specialIds.contains(id) ? NOTHING : tokenBytes(id), stripLeadingSpace);
    }

    private static final byte[] NOTHING = new byte[0];

    @Override
    public byte[] tokenBytes(int id) {
        if (id < 0 || id >= bytes.length) {
            throw new IllegalArgumentException("token id " + id + " outside the vocabulary (0.." + (bytes.length - 1) + ")");
        }
        return bytes[id];
    }

    @Override
    public int vocabularySize() {
        return vocab.size();
    }

    @Override
    public String tokenText(int id) {
        tokenBytes(id); // range check
        return vocab.text(id);
    }

    @Override
    public int tokenId(String tokenText) {
        return vocab.id(tokenText);
    }

    @Override
    public int bosId() {
        return bosId;
    }

    @Override
    public int eosId() {
        return eosId;
    }

    @Override
    public Set<Integer> endOfGenerationIds() {
        return endOfGeneration;
    }

    @Override
    public boolean addBos() {
        return addBos;
    }

    @Override
    public Set<Integer> specialIds() {
        return specialIds;
    }

    @Override
    public boolean isUnused(int id) {
        tokenBytes(id); // range check
        return vocab.kind(id) == TokenKind.UNUSED;
    }

    static Builder builder() {
        return new Builder();
    }

    static final class Builder {
        private Vocabulary vocab;
        private WordModel model;
        private final List<AddedTokens.Entry> addedTokens = new ArrayList<>();
        private SegmentNormalizer normalizer = SegmentNormalizer.IDENTITY;
        private final List<PreTokenizer> preTokenizers = new ArrayList<>();
        private Decoding decoding = Decoding.BYTE_LEVEL;
        private int bosId = -1;
        private int eosId = -1;
        private boolean addBos;
        private boolean stripLeadingSpace;
        private final List<Integer> extraEndIds = new ArrayList<>();

        Builder endOfGeneration(int id) {
            extraEndIds.add(id);
            return this;
        }

        Builder vocabulary(Vocabulary v) {
            this.vocab = v;
            return this;
        }

        Builder model(WordModel m) {
            this.model = m;
            return this;
        }

        Builder addedToken(AddedTokens.Entry e) {
            addedTokens.add(e);
            return this;
        }

        Builder normalizer(SegmentNormalizer n) {
            this.normalizer = n;
            return this;
        }

        Builder preTokenizer(PreTokenizer p) {
            preTokenizers.add(p);
            return this;
        }

        Builder decoding(Decoding d) {
            this.decoding = d;
            return this;
        }

        Builder bos(int id) {
            this.bosId = id;
            return this;
        }

        Builder eos(int id) {
            this.eosId = id;
            return this;
        }

        Builder addBos(boolean add) {
            this.addBos = add;
            return this;
        }

        Builder stripLeadingSpace(boolean strip) {
            this.stripLeadingSpace = strip;
            return this;
        }

        TextTokenizer build() {
            return new TextTokenizer(this);
        }
    }
}
