package io.vireo.spring;

import io.vireo.Service;
import io.vireo.registry.ServiceInstance;
import java.util.List;
import java.util.Map;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The Vireo service in actuator's health ({@code /actuator/health}, component {@code vireo}): UP
 * while it runs (and, when it serves handlers, has registered its instances), DOWN before it
 * started and once it stopped; details name the service and its instances.
 */
public class VireoHealthIndicator implements HealthIndicator {
  private final Service service;

  public VireoHealthIndicator(Service service) {
    this.service = service;
  }

  @Override
  public Health health() {
    List<ServiceInstance> instances = service.instances();
    Health.Builder health = service.isRunning() ? Health.up() : Health.down();
    health.withDetail("service", service.name());
    if (!service.version().isEmpty()) {
      health.withDetail("version", service.version());
    }
    health.withDetail(
        "instances",
        instances.stream()
            .map(
                i ->
                    Map.of(
                        "id",
                        i.id(),
                        "transport",
                        i.transport(),
                        "address",
                        i.host() + ":" + i.port()))
            .toList());
    service
        .adminAddress()
        .ifPresent(
            admin -> health.withDetail("admin", admin.getHostString() + ":" + admin.getPort()));
    return health.build();
  }
}
