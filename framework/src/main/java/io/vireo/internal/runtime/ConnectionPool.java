package io.vireo.internal.runtime;

import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.registry.ServiceInstance;
import io.vireo.transport.Connection;
import io.vireo.transport.Transport;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
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

  ConnectionPool(Function<String, Transport> transports) {
    this.transports = transports;
  }

  Mono<Connection> get(ServiceInstance instance) {
    String key = instance.transport() + "://" + instance.address();
    Entry entry = entries.get(key);
    if (entry == null) {
      if (closed) {
        return Mono.error(VireoException.of(Status.UNAVAILABLE, "client is closed"));
      }
      entry = entries.computeIfAbsent(key, k -> new Entry(k, instance));
    }
    Connection ready = entry.ready;
    return ready != null && !ready.isDisposed() ? Mono.just(ready) : entry.connection;
  }

  void close() {
    closed = true;
    entries.values().forEach(entry -> {
      Connection ready = entry.ready;
      if (ready != null) {
        ready.dispose();
      }
    });
    entries.clear();
  }

  private final class Entry {
    final String key;
    final Mono<Connection> connection;
    volatile Connection ready;

    Entry(String key, ServiceInstance instance) {
      this.key = key;
      this.connection = Mono.defer(() -> transports.apply(instance.transport()).connect(instance))
          .doOnNext(connected -> {
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
      super(Status.UNAVAILABLE, "cannot connect to " + address + ": " + VireoException.from(cause).getMessage(), cause);
    }
  }
}
