package io.vireo.internal.runtime;

import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.registry.ServiceInstance;
import io.vireo.transport.Connection;
import io.vireo.transport.Transport;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * One connection per remote instance address, shared by all calls to it. A closed or failed
 * connection is forgotten, so the next call connects again.
 */
final class ConnectionPool {
  private static final Logger log = LoggerFactory.getLogger(ConnectionPool.class);

  private final Function<String, Transport> transports;
  private final Map<String, Entry> entries = new ConcurrentHashMap<>();
  private volatile boolean closed;
  private volatile @Nullable Entry last;

  ConnectionPool(Function<String, Transport> transports) {
    this.transports = transports;
  }

  Mono<Connection> get(ServiceInstance instance) {
    Entry entry = entry(instance);
    if (entry == null) {
      return Mono.error(VireoException.of(Status.UNAVAILABLE, "client is closed"));
    }
    Connection ready = entry.ready;
    return ready != null && !ready.isDisposed() ? Mono.just(ready) : entry.connection;
  }

  /** The open connection to the instance, if there is one now: the hot path, with no Mono. */
  @Nullable Connection ready(ServiceInstance instance) {
    Entry entry = entry(instance);
    if (entry == null) {
      return null;
    }
    Connection ready = entry.ready;
    return ready != null && !ready.isDisposed() ? ready : null;
  }

  private @Nullable Entry entry(ServiceInstance instance) {
    Entry recent = last;
    if (recent != null && recent.instance == instance && entries.get(recent.key) == recent) {
      return recent;
    }
    // the key is built only when the instance is not the last one seen: one string per call
    // otherwise
    String key = instance.transport() + "://" + instance.address();
    Entry entry = entries.get(key);
    if (entry == null) {
      if (closed) {
        return null;
      }
      entry = entries.computeIfAbsent(key, k -> new Entry(k, instance));
    }
    last = entry;
    return entry;
  }

  void close() {
    closed = true;
    entries
        .values()
        .forEach(
            entry -> {
              Connection ready = entry.ready;
              if (ready != null) {
                ready.dispose();
              }
            });
    entries.clear();
  }

  private final class Entry {
    final String key;
    final ServiceInstance instance;
    final Mono<Connection> connection;
    volatile Connection ready;

    Entry(String key, ServiceInstance instance) {
      this.key = key;
      this.instance = instance;
      this.connection =
          Mono.defer(() -> transports.apply(instance.transport()).connect(instance))
              .doOnNext(
                  connected -> {
                    ready = connected;
                    log.debug("connected to {} ({} of {})", key, instance.id(), instance.service());
                    connected.onClose().subscribe(null, e -> forget(), this::forget);
                    if (closed) {
                      connected.dispose();
                    }
                  })
              .doOnError(e -> forget())
              .onErrorMap(e -> new ConnectFailed(key, e))
              .cache();
    }

    private void forget() {
      entries.remove(key, this);
    }
  }

  /** The call was not sent: another instance may be tried whatever the call is. */
  static final class ConnectFailed extends VireoException {
    private static final long serialVersionUID = 1L;

    ConnectFailed(String address, Throwable cause) {
      super(
          Status.UNAVAILABLE,
          "cannot connect to " + address + ": " + VireoException.from(cause).getMessage(),
          cause);
    }
  }
}
