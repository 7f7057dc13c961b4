/**
 * Calls without generated Java types: {@link io.vireo.client.GenericClient} sends protobuf bytes to
 * any endpoint of a service (what a gateway, a command line or a test tool needs).
 */
@NullMarked
package io.vireo.client;

import org.jspecify.annotations.NullMarked;
