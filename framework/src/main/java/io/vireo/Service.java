package io.vireo;

import com.google.protobuf.Descriptors;
import io.vireo.broker.Broker;
import io.vireo.broker.SubscribeOptions;
import io.vireo.client.GenericClient;
import io.vireo.codec.Codec;
import io.vireo.config.Config;
import io.vireo.internal.runtime.Router;
import io.vireo.internal.runtime.ServiceRuntime;
import io.vireo.registry.Registry;
import io.vireo.registry.ServiceInstance;
import io.vireo.selector.Filter;
import io.vireo.transport.Transport;
import io.vireo.wrapper.Wrapper;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import reactor.core.publisher.Mono;

/**
 * A Vireo service: it serves its handlers, registers itself, publishes and subscribes to events,
 * calls other services, and stops gracefully.
 *
 * <pre>{@code
 * Service.builder("greeter")
 *     .handle(Greeter.class, new GreeterImpl())
 *     .subscribe("user.created", UserCreated.class, event -> audit.record(event))
 *     .build()
 *     .run(); // blocks; SIGTERM or SIGINT stops it gracefully
 * }</pre>
 *
 * Which registry, transport, broker, codec and selector run is configuration ({@link Config}):
 * {@code vireo.registry}, {@code vireo.transport}, {@code vireo.broker}, {@code vireo.codec},
 * {@code vireo.selector}; the embedded defaults need nothing.
 */
public final class Service {
  private final ServiceRuntime runtime;

  private Service(ServiceRuntime runtime) {
    this.runtime = runtime;
  }

  /** A builder for the service registered as {@code name}. */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /**
   * Starts: creates the plugins, binds the server, registers, subscribes. Blocks until done
   * (bounded by the plugins' own timeouts); fails with what to fix.
   */
  public Service start() {
    runtime.start();
    return this;
  }

  /** Starts, then blocks until {@link #stop()} or SIGTERM/SIGINT, which stops gracefully. */
  public void run() {
    runtime.run();
  }

  /**
   * Stops gracefully: deregisters, refuses new calls, lets calls in flight finish (at most {@code
   * vireo.server.shutdown-timeout}), closes subscriptions and connections. Blocks.
   */
  public void stop() {
    runtime.stop();
  }

  /** A typed client of {@code service}, through the registry, selector and wrappers. */
  public <T> T client(String service, Class<T> iface) {
    return runtime.client(service, iface);
  }

  /**
   * A client of any endpoint of {@code service} on protobuf bytes, through the same registry,
   * filters, selector, wrappers, deadline and retries as {@link #client}; for gateways and tools
   * that learn the schema at run time ({@link io.vireo.reflection.ServiceSchema}).
   */
  public GenericClient genericClient(String service) {
    return runtime.genericClient(service);
  }

  /** The registry this service registers in and finds others through, once started. */
  public Registry registry() {
    return runtime.registry();
  }

  /** Publishes an event; completes when the broker accepted it. */
  public Mono<Void> publish(String topic, Object event) {
    return runtime.publish(topic, Optional.empty(), event);
  }

  /** Publishes an event with a key: events of one key are delivered in order. */
  public Mono<Void> publish(String topic, String key, Object event) {
    return runtime.publish(topic, Optional.of(key), event);
  }

  public String name() {
    return runtime.name();
  }

  public String version() {
    return runtime.version();
  }

  /** This service's configuration, all layers merged. */
  public Config config() {
    return runtime.config();
  }

  /** The instance this service registered, once started with handlers. */
  public Optional<ServiceInstance> instance() {
    return runtime.instance();
  }

  /**
   * Every instance this service registered: one per transport it serves ({@code
   * vireo.transport=rsocket,grpc}).
   */
  public List<ServiceInstance> instances() {
    return runtime.instances();
  }

  /**
   * The admin endpoint's address ({@code /health}, {@code /metrics}, {@code /info}), when {@code
   * vireo.admin.port} is set and the service started; with port 0, the real port.
   */
  public Optional<InetSocketAddress> adminAddress() {
    return runtime.adminAddress();
  }

  /** Whether it is started and not stopped. */
  public boolean isRunning() {
    return runtime.isRunning();
  }

  /** Builds a {@link Service}. Everything configurable is here too; {@link #set} takes any key. */
  public static final class Builder {
    private final String name;
    private String version = "";
    private final Map<String, String> settings = new LinkedHashMap<>();
    private final List<Router.Handler> handlers = new ArrayList<>();
    private final List<ServiceRuntime.SubscriptionSpec<?>> subscriptions = new ArrayList<>();
    private final List<Wrapper> wrappers = new ArrayList<>();
    private final List<Filter> filters = new ArrayList<>();
    private final List<Supplier<Mono<Boolean>>> healthChecks = new ArrayList<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();
    private final List<Descriptors.FileDescriptor> descriptors = new ArrayList<>();
    private Optional<Registry> registry = Optional.empty();
    private Optional<Broker> broker = Optional.empty();
    private Optional<Transport> transport = Optional.empty();
    private Optional<Codec> codec = Optional.empty();

    Builder(String name) {
      if (name.isEmpty() || !name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
        throw new IllegalArgumentException(
            "name: '" + name + "' (expected: letters, digits, '.', '_' or '-', such as greeter)");
      }
      this.name = name;
    }

    public Builder version(String version) {
      this.version = version;
      return this;
    }

    /** Serves every method of {@code iface} with {@code implementation}. */
    public <T> Builder handle(Class<T> iface, T implementation) {
      handlers.add(new Router.Handler(iface, implementation));
      return this;
    }

    /** Subscribes to {@code topic} in this service's queue group, with default options. */
    public <T> Builder subscribe(String topic, Class<T> type, EventHandler<? super T> handler) {
      return subscribe(topic, type, SubscribeOptions.defaults(), handler);
    }

    /** Subscribes to {@code topic}; the queue group defaults to this service's name. */
    public <T> Builder subscribe(
        String topic, Class<T> type, SubscribeOptions options, EventHandler<? super T> handler) {
      if (topic.isEmpty()) {
        throw new IllegalArgumentException("topic: empty (expected: a name such as user.created)");
      }
      subscriptions.add(new ServiceRuntime.SubscriptionSpec<>(topic, type, options, handler));
      return this;
    }

    /** Adds middleware; the first added is the outermost. */
    public Builder wrap(Wrapper... wrappers) {
      this.wrappers.addAll(List.of(wrappers));
      return this;
    }

    /** Narrows the instances every client call may go to. */
    public Builder filter(Filter filter) {
      filters.add(filter);
      return this;
    }

    /** A configuration value, above every other layer. */
    public Builder set(String key, String value) {
      settings.put(key, value);
      return this;
    }

    /** A metadata label registered with the instance (e.g. {@code zone}, {@code canary}). */
    public Builder metadata(String key, String value) {
      metadata.put(key, value);
      return this;
    }

    /**
     * A health check, run every {@code vireo.registry.health-interval}: while one fails (or errs)
     * the instance is deregistered; when all pass again it registers again.
     */
    public Builder healthCheck(Supplier<Mono<Boolean>> check) {
      healthChecks.add(check);
      return this;
    }

    /**
     * .proto files that server reflection describes besides those of the handlers' message classes
     * (with their dependencies): for a service whose {@code service} block is in another file than
     * its messages, such as {@code GreeterServiceProto.getDescriptor()}.
     */
    public Builder descriptors(Descriptors.FileDescriptor... files) {
      descriptors.addAll(List.of(files));
      return this;
    }

    /** Uses this registry instead of the one {@code vireo.registry} names. */
    public Builder registry(Registry registry) {
      this.registry = Optional.of(registry);
      return this;
    }

    /** Uses this broker instead of the one {@code vireo.broker} names. */
    public Builder broker(Broker broker) {
      this.broker = Optional.of(broker);
      return this;
    }

    /** Uses this transport instead of the one {@code vireo.transport} names. */
    public Builder transport(Transport transport) {
      this.transport = Optional.of(transport);
      return this;
    }

    /** Uses this codec instead of the one {@code vireo.codec} names. */
    public Builder codec(Codec codec) {
      this.codec = Optional.of(codec);
      return this;
    }

    public Service build() {
      return new Service(
          new ServiceRuntime(
              new ServiceRuntime.Spec(
                  name,
                  version,
                  Map.copyOf(settings),
                  List.copyOf(handlers),
                  List.copyOf(subscriptions),
                  List.copyOf(wrappers),
                  List.copyOf(filters),
                  List.copyOf(healthChecks),
                  Map.copyOf(metadata),
                  registry,
                  broker,
                  transport,
                  codec,
                  List.copyOf(descriptors))));
    }
  }
}
