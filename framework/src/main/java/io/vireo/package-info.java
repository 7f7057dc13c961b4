/** Vireo: a reactive, event-driven microservice framework. Start with {@link io.vireo.Service}. */
@NullMarked
package io.vireo;

import org.jspecify.annotations.NullMarked;
