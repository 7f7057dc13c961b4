package io.vireo.registry;

import java.util.List;
import java.util.Map;

/**
 * One running instance of a service, as the registry knows it.
 *
 * @param service the service's name ("greeter")
 * @param id unique among the service's instances
 * @param host the address clients connect to
 * @param port the port clients connect to
 * @param transport the transport it serves ({@code rsocket}, {@code grpc}, ...)
 * @param version the service's version, for version filters
 * @param weight relative share of traffic for weighted selection (> 0)
 * @param metadata free-form labels, such as {@code zone} or {@code canary}
 * @param endpoints the routes it serves, in RSocket form
 */
public record ServiceInstance(
    String service,
    String id,
    String host,
    int port,
    String transport,
    String version,
    int weight,
    Map<String, String> metadata,
    List<String> endpoints) {

  /** The weight instances get unless configured otherwise. */
  public static final int DEFAULT_WEIGHT = 100;

  /**
   * The metadata key holding the port of the instance's admin endpoint (on the instance's host),
   * registered when {@code vireo.admin.port} is set: how tools find {@code /health} and {@code
   * /admin/offline} from the registry.
   */
  public static final String ADMIN_PORT_METADATA = "admin-port";

  public ServiceInstance {
    if (service.isEmpty()) {
      throw new IllegalArgumentException("service: empty (expected: a name such as greeter)");
    }
    if (id.isEmpty()) {
      throw new IllegalArgumentException("id: empty (expected: a unique instance id)");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port: " + port + " (expected: 0..65535)");
    }
    if (weight <= 0) {
      throw new IllegalArgumentException("weight: " + weight + " (expected: > 0)");
    }
    metadata = Map.copyOf(metadata);
    endpoints = List.copyOf(endpoints);
  }

  /** {@code host:port}. */
  public String address() {
    return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
  }
}
