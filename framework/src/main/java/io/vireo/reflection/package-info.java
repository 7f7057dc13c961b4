/**
 * Protobuf schemas of running services, learned over their own transport through gRPC server
 * reflection (which every Vireo service answers): {@link io.vireo.reflection.ServiceSchema}, cached
 * per service by {@link io.vireo.reflection.SchemaCache}.
 */
@NullMarked
package io.vireo.reflection;

import org.jspecify.annotations.NullMarked;
