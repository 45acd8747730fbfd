package ai.appliance.runtime.tokenizer;

/** Encodes one pre-tokenized piece into ids (BPE by merge ranks, or SentencePiece BPE by scores). */
sealed interface WordModel permits MergeBpe, SentencePieceBpe {
    void encode(String word, IntList out);
}
