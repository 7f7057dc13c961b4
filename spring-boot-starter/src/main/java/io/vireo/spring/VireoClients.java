package io.vireo.spring;

import io.vireo.Service;
import io.vireo.spring.internal.LazyClient;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.beans.factory.ObjectProvider;

/**
 * Makes clients of other Vireo services, as {@link VireoClient} does; for code that builds its
 * clients itself:
 *
 * <pre>{@code
 * @Bean
 * Welcome welcome(VireoClients clients) {
 *   return new Welcome(clients.client("greeter", Greeter.class));
 * }
 * }</pre>
 *
 * A client made before the service started may be kept and called once it has started.
 */
public class VireoClients {
  private final ObjectProvider<Service> service;
  private final Map<String, Object> clients = new ConcurrentHashMap<>();

  public VireoClients(ObjectProvider<Service> service) {
    this.service = service;
  }

  /** A client of {@code service} through {@code iface}; one per service and interface. */
  public <T> T client(String service, Class<T> iface) {
    return iface.cast(
        clients.computeIfAbsent(
            service + "/" + iface.getName(),
            key -> LazyClient.of(service, iface, this.service::getObject)));
  }
}
