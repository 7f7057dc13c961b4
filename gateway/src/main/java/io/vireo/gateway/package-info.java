/**
 * Vireo's API gateway: HTTP/1.1, HTTP/2 and WebSocket in front of Vireo services and plain HTTP
 * upstreams. Entry point: {@link io.vireo.gateway.Gateway}.
 */
@NullMarked
package io.vireo.gateway;

import org.jspecify.annotations.NullMarked;
