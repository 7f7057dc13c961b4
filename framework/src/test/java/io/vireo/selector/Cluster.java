package io.vireo.selector;

import io.vireo.Call;
import io.vireo.Idempotent;
import io.vireo.RpcService;
import io.vireo.Service;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.registry.memory.MemoryRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import reactor.core.publisher.Mono;

/**
 * Real services on one embedded registry and the memory transport: backends of "echo" and callers.
 */
public final class Cluster implements AutoCloseable {
  public record Hello(String name) {}

  public record Reply(String from) {}

  @RpcService("vireo.test.Echo")
  public interface Echo {
    @Idempotent
    Mono<Reply> hello(Hello request);

    Mono<Reply> once(Hello request);
  }

  /** One backend: counts its calls; may be made slow or failing. */
  public static final class Backend implements Echo {
    public final String label;

    /** While positive, calls fail with UNAVAILABLE, one less each time. */
    public final AtomicInteger failNext = new AtomicInteger();

    /** Replies wait for this. */
    public final AtomicReference<Mono<Void>> gate = new AtomicReference<>(Mono.empty());

    public final AtomicInteger calls = new AtomicInteger();
    final Map<String, String> keys = new ConcurrentHashMap<>();
    public final AtomicReference<Duration> delay = new AtomicReference<>(Duration.ZERO);
    public final AtomicReference<Status> failWith = new AtomicReference<>(Status.OK);
    public Service service;

    Backend(String label) {
      this.label = label;
    }

    @Override
    public Mono<Reply> hello(Hello request) {
      calls.incrementAndGet();
      keys.put(request.name(), label);
      if (failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        return Mono.error(VireoException.of(Status.UNAVAILABLE, "%s is not ready yet", label));
      }
      Status failure = failWith.get();
      if (failure != Status.OK) {
        return Mono.error(VireoException.of(failure, "%s fails on purpose", label));
      }
      Mono<Reply> reply = gate.get().then(Call.current()).map(call -> new Reply(label));
      Duration wait = delay.get();
      return wait.isZero() ? reply : reply.delayElement(wait);
    }

    @Override
    public Mono<Reply> once(Hello request) {
      return hello(request);
    }
  }

  public final MemoryRegistry registry = MemoryRegistry.newStore();
  public final List<Backend> backends = new ArrayList<>();
  final List<Service> services = new ArrayList<>();

  public Service.Builder embedded(String name) {
    return Service.builder(name)
        .registry(registry.handle())
        .set("vireo.transport", "memory")
        .set("vireo.codec", "json")
        .set("vireo.server.shutdown-timeout", "1s");
  }

  public Backend backend(String label) {
    return backend(label, UnaryOperator.identity());
  }

  public Backend backend(String label, UnaryOperator<Service.Builder> settings) {
    Backend backend = new Backend(label);
    backend.service = settings.apply(embedded("echo").handle(Echo.class, backend)).build().start();
    backends.add(backend);
    services.add(backend.service);
    return backend;
  }

  public Echo caller(UnaryOperator<Service.Builder> settings) {
    Service caller = settings.apply(embedded("caller")).build().start();
    services.add(caller);
    return caller.client("echo", Echo.class);
  }

  public int registered() {
    return registry.instances("echo").block(Duration.ofSeconds(5)).size();
  }

  @Override
  public void close() {
    for (int i = services.size() - 1; i >= 0; i--) {
      services.get(i).stop();
    }
  }
}
