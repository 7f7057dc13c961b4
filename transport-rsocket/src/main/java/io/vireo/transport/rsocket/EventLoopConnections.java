package io.vireo.transport.rsocket;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.ThreadExecutorMap;
import io.vireo.transport.Connection;
import io.vireo.transport.Frame;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * One connection per calling event loop to the same instance ({@code
 * vireo.transport.rsocket.connection-per-event-loop}). A call made on a Netty event loop, say by a
 * reactor-netty server handling a request, goes out on a connection of that same loop, opened by
 * the loop's first call: its frames are written and its answer arrives on the caller's own thread,
 * and no task is handed to another loop either way. Calls from other threads use the first
 * connection. When one connection closes, all do, and the pool connects again.
 */
final class EventLoopConnections implements Connection {
  private record Lane(EventLoop loop, Connection connection) {}

  private final Function<EventLoop, Mono<Connection>> connect;
  private final Connection first;
  private final Sinks.Empty<Void> closed = Sinks.empty();

  /** The open lanes, copied on write: the hot path reads this array only. */
  private volatile Lane[] lanes;

  /** The lanes being opened, by loop; guarded by {@code this}. */
  private final Map<EventLoop, Mono<Connection>> opening = new HashMap<>();

  private volatile boolean disposed;

  /**
   * {@code first}: the connection {@code connect} made, on {@code firstLoop} (null when it was made
   * off any loop); {@code connect}: opens another, on the given loop.
   */
  EventLoopConnections(
      Connection first,
      @Nullable EventLoop firstLoop,
      Function<EventLoop, Mono<Connection>> connect) {
    this.first = first;
    this.connect = connect;
    this.lanes = firstLoop == null ? new Lane[0] : new Lane[] {new Lane(firstLoop, first)};
    watch(first);
  }

  /** The calling thread's event loop, or null off any loop. */
  static @Nullable EventLoop currentLoop() {
    EventExecutor current = ThreadExecutorMap.currentExecutor();
    return current instanceof EventLoop loop && loop.inEventLoop() ? loop : null;
  }

  private void watch(Connection lane) {
    lane.onClose().subscribe(null, error -> dispose(), this::dispose);
  }

  /** The connection of the caller's loop, or null when that loop has none yet. */
  private @Nullable Connection lane(@Nullable EventLoop loop) {
    if (loop == null) {
      return first;
    }
    for (Lane lane : lanes) {
      if (lane.loop() == loop) {
        return lane.connection();
      }
    }
    return null;
  }

  /** Opens (once) the connection of {@code loop}. */
  private synchronized Mono<Connection> open(EventLoop loop) {
    Connection open = lane(loop);
    if (open != null) {
      return Mono.just(open);
    }
    if (disposed) {
      return Mono.error(Errors.closed(first.toString()));
    }
    return opening.computeIfAbsent(
        loop,
        key ->
            connect
                .apply(key)
                .doOnNext(connection -> added(key, connection))
                .doFinally(signal -> forget(key))
                .cache());
  }

  private synchronized void added(EventLoop loop, Connection connection) {
    if (disposed) {
      connection.dispose();
      return;
    }
    Lane[] now = Arrays.copyOf(lanes, lanes.length + 1);
    now[now.length - 1] = new Lane(loop, connection);
    lanes = now;
    watch(connection);
  }

  private synchronized void forget(EventLoop loop) {
    opening.remove(loop);
  }

  @Override
  public Mono<byte[]> requestResponse(Frame request) {
    EventLoop loop = currentLoop();
    Connection lane = lane(loop);
    return lane != null
        ? lane.requestResponse(request)
        : open(loop).flatMap(opened -> opened.requestResponse(request));
  }

  @Override
  public Mono<Void> fireAndForget(Frame request) {
    EventLoop loop = currentLoop();
    Connection lane = lane(loop);
    return lane != null
        ? lane.fireAndForget(request)
        : open(loop).flatMap(opened -> opened.fireAndForget(request));
  }

  @Override
  public Flux<byte[]> requestStream(Frame request) {
    EventLoop loop = currentLoop();
    Connection lane = lane(loop);
    return lane != null
        ? lane.requestStream(request)
        : open(loop).flatMapMany(opened -> opened.requestStream(request));
  }

  @Override
  public Flux<byte[]> requestChannel(Frame head, Flux<byte[]> requests) {
    EventLoop loop = currentLoop();
    Connection lane = lane(loop);
    return lane != null
        ? lane.requestChannel(head, requests)
        : open(loop).flatMapMany(opened -> opened.requestChannel(head, requests));
  }

  @Override
  public Mono<Void> onClose() {
    return closed.asMono();
  }

  @Override
  public void dispose() {
    Lane[] all;
    synchronized (this) {
      if (disposed) {
        return;
      }
      disposed = true;
      all = lanes;
    }
    first.dispose();
    for (Lane lane : all) {
      lane.connection().dispose();
    }
    closed.tryEmitEmpty();
  }

  @Override
  public boolean isDisposed() {
    return disposed;
  }

  @Override
  public String toString() {
    return "EventLoopConnections{" + first + ", " + lanes.length + " lanes}";
  }
}
