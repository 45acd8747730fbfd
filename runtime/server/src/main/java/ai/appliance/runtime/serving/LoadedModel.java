package ai.appliance.runtime.serving;

import ai.appliance.runtime.api.ApiException;
import ai.appliance.runtime.engine.LanguageModel;
import ai.appliance.runtime.scheduler.Generation;

/**
 * One version of a model, loaded and ready: the engine plus what turns a request into a {@link Generation}
 * (chat template, tokenizer, sampler, stop strings, reasoning split).
 */
public interface LoadedModel extends AutoCloseable {

    /** Public model id, as listed in /v1/models. */
    String name();

    /** Version folder or file it came from (e.g. "v2"). */
    String version();

    /** Random-weight demo model: answers are noise, and clients and logs must say so. */
    boolean demo();

    LanguageModel engine();

    /**
     * Renders and tokenizes the request and sets up its decoding state.
     *
     * @throws ApiException for requests this model cannot take (bad roles, empty prompt)
     */
    Generation start(InferenceRequest request);

    /** Frees the engine; called once no request uses this version any more. */
    @Override
    void close();
}
