package io.vireo.cli;

import com.google.protobuf.Descriptors;
import io.vireo.Service;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.client.GenericClient;
import io.vireo.config.Config;
import io.vireo.reflection.ServiceSchema;
import io.vireo.registry.ServiceInstance;
import io.vireo.registry.memory.MemoryRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import reactor.core.Exceptions;
import reactor.core.publisher.Mono;

/**
 * One command's connection to the world: a Vireo service that serves nothing (so it registers
 * nothing) and calls, publishes and subscribes with the settings of the options; or, with {@code
 * --address}, a private registry holding that one instance.
 */
final class Session implements AutoCloseable {
  /** The name the command line calls others as ({@code vireo-caller}). */
  static final String NAME = "vireo-cli";

  private final Options options;
  private final Service service;
  private final Optional<MemoryRegistry> addressed;
  private final Map<String, ServiceSchema> schemas = new ConcurrentHashMap<>();

  private Session(Options options, Service service, Optional<MemoryRegistry> addressed) {
    this.options = options;
    this.service = service;
    this.addressed = addressed;
  }

  static Session open(Options options, Map<String, String> extra) {
    Service.Builder builder =
        Service.builder(NAME)
            // a command is no service: no admin port, even if a vireo.yaml here names one
            .set("vireo.admin.port", "")
            .set("vireo.registry.health-interval", "1h");
    options.vireoSettings().forEach(builder::set);
    extra.forEach(builder::set);
    Optional<MemoryRegistry> addressed = Optional.empty();
    if (options.address().isPresent()) {
      MemoryRegistry registry = MemoryRegistry.newStore();
      builder.registry(registry);
      addressed = Optional.of(registry);
    }
    Service service = builder.build();
    try {
      service.start();
    } catch (RuntimeException e) {
      throw Main.failure(e);
    }
    return new Session(options, service, addressed);
  }

  Service service() {
    return service;
  }

  Config config() {
    return service.config();
  }

  /** What the registry is, for messages: {@code ZooKeeper at 127.0.0.1:2181}. */
  String where() {
    if (options.address != null) {
      return "the address " + options.address;
    }
    Config config = service.config();
    String name = config.get("vireo.registry", "memory");
    switch (name) {
      case "zookeeper":
        return "ZooKeeper at " + config.get("vireo.registry.zookeeper.connect", "127.0.0.1:2181");
      case "etcd":
        return "etcd at " + config.get("vireo.registry.etcd.endpoints", "http://127.0.0.1:2379");
      case "memory":
        return "the memory registry (this process only: use --zookeeper HOST:PORT, --etcd URLS or --address HOST:PORT)";
      default:
        return "registry " + name;
    }
  }

  /** The services in the registry, sorted. */
  List<String> services() {
    if (addressed.isPresent()) {
      return List.of();
    }
    return new ArrayList<>(new TreeSet<>(registry("list services", service.registry().services())));
  }

  /** The instances of {@code name}; with {@code --address}, the one instance at that address. */
  List<ServiceInstance> instances(String name) {
    if (addressed.isPresent()) {
      ServiceInstance instance = addressedInstance(name);
      addressed.get().register(instance).block(Duration.ofSeconds(5));
      return List.of(instance);
    }
    return registry("list the instances of " + name, service.registry().instances(name));
  }

  /** The instances of {@code name}, NOT_FOUND naming the services there are if none. */
  List<ServiceInstance> require(String name) {
    List<ServiceInstance> instances = instances(name);
    if (instances.isEmpty()) {
      List<String> known = services();
      throw VireoException.of(
          Status.NOT_FOUND,
          "service '%s' is not in %s (services: %s)",
          name,
          where(),
          known.isEmpty() ? "none" : String.join(", ", known));
    }
    return instances;
  }

  GenericClient client(String name) {
    return service.genericClient(name);
  }

  /** The schema of {@code name}, learned through server reflection once per command. */
  ServiceSchema schema(String name, Duration timeout) {
    ServiceSchema known = schemas.get(name);
    if (known != null) {
      return known;
    }
    ServiceSchema schema =
        block(
            ServiceSchema.fetch(client(name)),
            timeout,
            () ->
                VireoException.of(
                    Status.DEADLINE_EXCEEDED,
                    "service %s: no answer to server reflection within %d ms",
                    name,
                    timeout.toMillis()));
    schemas.put(name, schema);
    return schema;
  }

  /**
   * A message type by full name: from {@code service}'s schema if given, else from the schema of
   * each service in the registry that has one.
   */
  Descriptors.Descriptor message(String type, Optional<String> in, Duration timeout) {
    List<String> candidates = in.map(List::of).orElseGet(this::services);
    List<String> asked = new ArrayList<>();
    for (String name : candidates) {
      try {
        Optional<Descriptors.Descriptor> found = schema(name, timeout).message(type);
        if (found.isPresent()) {
          return found.get();
        }
        asked.add(name);
      } catch (VireoException e) {
        if (in.isPresent()) {
          throw e;
        }
        asked.add(name + " (" + e.status() + ")");
      }
    }
    throw VireoException.of(
        Status.NOT_FOUND,
        "message type '%s' is in no schema (asked: %s; give --service NAME, or --descriptor-set FILE)",
        type,
        asked.isEmpty() ? "no service" : String.join(", ", asked));
  }

  private ServiceInstance addressedInstance(String name) {
    String address = options.address == null ? "" : options.address;
    int colon = address.lastIndexOf(':');
    int port;
    try {
      port = colon <= 0 ? -1 : Integer.parseInt(address.substring(colon + 1));
    } catch (NumberFormatException e) {
      port = -1;
    }
    if (port < 0 || port > 65535) {
      throw VireoException.of(
          Status.INVALID_ARGUMENT,
          "--address: '%s' (expected: HOST:PORT, such as 127.0.0.1:50051)",
          address);
    }
    String host = address.substring(0, colon).replace("[", "").replace("]", "");
    String transport = service.config().get("vireo.transport", "rsocket").split(",")[0].trim();
    return new ServiceInstance(
        name,
        "address-" + UUID.randomUUID().toString().substring(0, 8),
        host,
        port,
        transport,
        "",
        ServiceInstance.DEFAULT_WEIGHT,
        Map.of(),
        List.of());
  }

  private <T> T registry(String what, Mono<T> operation) {
    Duration timeout = options.registryTimeout;
    return block(
        operation.onErrorMap(
            e -> !(e instanceof TimeoutException),
            e -> {
              VireoException failure = Main.failure(e);
              return VireoException.of(
                  failure.status(), "%s: cannot %s: %s", where(), what, failure.getMessage());
            }),
        timeout,
        () ->
            VireoException.of(
                Status.UNAVAILABLE,
                "%s did not answer within %d ms (trying to %s)",
                where(),
                timeout.toMillis(),
                what));
  }

  static <T> T block(Mono<T> operation, Duration timeout, Supplier<VireoException> onTimeout) {
    try {
      T value = operation.timeout(timeout, Mono.error(onTimeout)).block();
      if (value == null) {
        throw VireoException.of(Status.INTERNAL, "no answer");
      }
      return value;
    } catch (RuntimeException e) {
      throw Main.failure(Exceptions.unwrap(e));
    }
  }

  @Override
  public void close() {
    service.stop();
  }
}
