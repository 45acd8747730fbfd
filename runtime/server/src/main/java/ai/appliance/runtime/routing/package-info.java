/**
 * Where a request goes: the {@code routing} configuration's rules (by caller's API key or role, by requested model,
 * by prompt length) and the callers whose requests must stay on the appliance. It decides a model name only; the
 * serving path then answers locally or forwards to an upstream. Depends on nothing of the server but security's
 * caller types.
 */
package ai.appliance.runtime.routing;
