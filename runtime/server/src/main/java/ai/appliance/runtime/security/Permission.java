package ai.appliance.runtime.security;

/** Things a request may need to be allowed to do. */
public enum Permission {
    GENERATE, LIST_MODELS, MANAGE_MODELS, READ_AUDIT, READ_METRICS
}
