/**
 * The RSocket transport: Vireo calls over RSocket on TCP, with rsocket-java. Start with {@link
 * io.vireo.transport.rsocket.RSocketTransport}; configuration selects it with {@code
 * vireo.transport=rsocket}.
 */
@NullMarked
package io.vireo.transport.rsocket;

import org.jspecify.annotations.NullMarked;
