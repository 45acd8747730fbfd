/**
 * What a client of any front end sees when a request fails ({@link ai.appliance.runtime.api.ApiException},
 * {@link ai.appliance.runtime.api.ErrorKind}). It depends on nothing else of the server, so that
 * {@code security} (which rejects callers) and {@code serving} (which checks them through {@code security})
 * can both throw these without depending on each other in a circle.
 */
package ai.appliance.runtime.api;
