/**
 * Spring Boot auto-configuration for Vireo: the application is a Vireo service named by {@code
 * vireo.service.name} (else {@code spring.application.name}), configured by the {@code vireo.*}
 * keys of Spring's {@code Environment}. See {@link io.vireo.spring.VireoAutoConfiguration}.
 */
@NullMarked
package io.vireo.spring;

import org.jspecify.annotations.NullMarked;
