package io.vireo.selector;

import io.vireo.Call;
import io.vireo.Idempotent;
import io.vireo.RpcService;
import io.vireo.Service;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.internal.memory.MemoryRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import reactor.core.publisher.Mono;

/** Real services on one embedded registry and the memory transport: backends of "echo" and callers. */
final class Cluster implements AutoCloseable {
  record Hello(String name) {}

  record Reply(String from) {}

  @RpcService("vireo.test.Echo")
  public interface Echo {
    @Idempotent
    Mono<Reply> hello(Hello request);

    Mono<Reply> once(Hello request);
  }

  /** One backend: counts its calls; may be made slow or failing. */
  static final class Backend implements Echo {
    final String label;
    final AtomicInteger calls = new AtomicInteger();
    final Map<String, String> keys = new ConcurrentHashMap<>();
    final AtomicReference<Duration> delay = new AtomicReference<>(Duration.ZERO);
    final AtomicReference<Status> failWith = new AtomicReference<>(Status.OK);
    Service service;

    Backend(String label) {
      this.label = label;
    }

    @Override
    public Mono<Reply> hello(Hello request) {
      calls.incrementAndGet();
      keys.put(request.name(), label);
      Status failure = failWith.get();
      if (failure != Status.OK) {
        return Mono.error(VireoException.of(failure, "%s fails on purpose", label));
      }
      Mono<Reply> reply = Call.current().map(call -> new Reply(label));
      Duration wait = delay.get();
      return wait.isZero() ? reply : reply.delayElement(wait);
    }

    @Override
    public Mono<Reply> once(Hello request) {
      return hello(request);
    }
  }

  final MemoryRegistry registry = MemoryRegistry.newStore();
  final List<Backend> backends = new ArrayList<>();
  final List<Service> services = new ArrayList<>();

  Service.Builder embedded(String name) {
    return Service.builder(name)
        .registry(registry.handle())
        .set("vireo.transport", "memory")
        .set("vireo.codec", "json")
        .set("vireo.server.shutdown-timeout", "1s");
  }

  Backend backend(String label) {
    return backend(label, UnaryOperator.identity());
  }

  Backend backend(String label, UnaryOperator<Service.Builder> settings) {
    Backend backend = new Backend(label);
    backend.service = settings.apply(embedded("echo").handle(Echo.class, backend)).build().start();
    backends.add(backend);
    services.add(backend.service);
    return backend;
  }

  Echo caller(UnaryOperator<Service.Builder> settings) {
    Service caller = settings.apply(embedded("caller")).build().start();
    services.add(caller);
    return caller.client("echo", Echo.class);
  }

  int registered() {
    return registry.instances("echo").block(Duration.ofSeconds(5)).size();
  }

  @Override
  public void close() {
    for (int i = services.size() - 1; i >= 0; i--) {
      services.get(i).stop();
    }
  }
}
