package ai.appliance.runtime.scheduler;

/**
 * Identifies one cached block: the model version's scope and the SHA-256 of every token from the start of the prompt
 * to the end of the block (a chain, so equal keys mean equal prefixes, not merely equal blocks).
 */
record PrefixBlockKey(long scope, long digest0, long digest1, long digest2, long digest3) {
}
