package io.vireo.spring;

import io.vireo.Service;

/**
 * Changes the auto-configured service's builder before it is built: filters, health checks,
 * metadata, anything the builder offers. Every customizer bean runs, in {@code @Order}.
 *
 * <pre>{@code
 * @Bean
 * VireoServiceCustomizer zone() {
 *   return builder -> builder.metadata("zone", "eu-1");
 * }
 * }</pre>
 */
@FunctionalInterface
public interface VireoServiceCustomizer {
  void customize(Service.Builder builder);
}
