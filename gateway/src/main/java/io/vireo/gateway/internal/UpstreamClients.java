package io.vireo.gateway.internal;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

/**
 * The HTTP clients to upstreams: one client and one connection pool per event loop of the gateway's
 * HTTP server ({@code vireo.gateway.event-loops}). A request forwarded from one of those loops
 * takes a connection of its own loop's pool, so the acquire, the write and the answer all stay on
 * the thread that read the request (one shared pool hands each acquire and flush to the loop its
 * connection happens to be on). {@code vireo.gateway.upstream.max-connections} is shared out
 * between the pools.
 */
public final class UpstreamClients {
  private final EventLoop[] loops;
  private final HttpClient[] clients;
  private final ConnectionProvider[] pools;

  /** The next client of a caller on none of the loops; a lost update only skews the turn. */
  private int turn;

  public UpstreamClients(
      LoopResources loopResources, int maxConnections, Duration responseTimeout) {
    if (maxConnections <= 0) {
      throw new IllegalArgumentException(
          "vireo.gateway.upstream.max-connections: " + maxConnections + " (expected: > 0)");
    }
    List<EventLoop> found = new ArrayList<>();
    for (EventExecutor executor : loopResources.onServer(LoopResources.hasNativeSupport())) {
      found.add((EventLoop) executor);
    }
    loops = found.toArray(EventLoop[]::new);
    clients = new HttpClient[loops.length];
    pools = new ConnectionProvider[loops.length];
    int each = Math.max(1, maxConnections / loops.length);
    for (int i = 0; i < loops.length; i++) {
      pools[i] =
          ConnectionProvider.builder("vireo-gateway-" + i)
              .maxConnections(each)
              .pendingAcquireMaxCount(-1)
              .maxIdleTime(Duration.ofSeconds(30))
              .build();
      clients[i] =
          HttpClient.create(pools[i])
              .runOn(loops[i])
              .keepAlive(true)
              .responseTimeout(responseTimeout);
    }
  }

  /** The client of the calling thread's loop; a caller on no loop takes them in turn. */
  public HttpClient current() {
    for (int i = 0; i < loops.length; i++) {
      if (loops[i].inEventLoop()) {
        return clients[i];
      }
    }
    return clients[(turn++ & Integer.MAX_VALUE) % clients.length];
  }

  /** Closes every pool. */
  public Mono<Void> dispose() {
    return Flux.fromArray(pools).flatMap(ConnectionProvider::disposeLater).then();
  }
}
