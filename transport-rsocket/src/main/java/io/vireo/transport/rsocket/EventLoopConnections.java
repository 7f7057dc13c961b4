package io.vireo.transport.rsocket;

import io.netty.channel.EventLoop;
import io.vireo.transport.Connection;
import io.vireo.transport.Frame;
import java.util.ArrayList;
import java.util.List;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * One connection per event loop to the same instance ({@code
 * vireo.transport.rsocket.connection-per-event-loop}). A call made on one of the loops goes out on
 * that loop's connection, so its frames are written and its answer arrives on the caller's own
 * thread: no task is handed to another loop either way. Calls from other threads take the
 * connections in turn. When one connection closes, all do, and the pool connects again.
 */
final class EventLoopConnections implements Connection {
  private final EventLoop[] loops;
  private final Connection[] lanes;
  private final Mono<Void> closed;

  /** The next lane of a caller that is on none of the loops; a lost update only skews the turn. */
  private int turn;

  EventLoopConnections(EventLoop[] loops, Connection[] lanes) {
    if (loops.length != lanes.length || lanes.length == 0) {
      throw new IllegalArgumentException(
          "loops and lanes: "
              + loops.length
              + " and "
              + lanes.length
              + " (expected: as many, > 0)");
    }
    this.loops = loops;
    this.lanes = lanes;
    List<Mono<Void>> each = new ArrayList<>(lanes.length);
    for (Connection lane : lanes) {
      each.add(lane.onClose());
      lane.onClose().subscribe(null, error -> dispose(), this::dispose);
    }
    this.closed = Mono.when(each);
  }

  private Connection lane() {
    for (int i = 0; i < loops.length; i++) {
      if (loops[i].inEventLoop()) {
        return lanes[i];
      }
    }
    int next = turn++ & Integer.MAX_VALUE;
    return lanes[next % lanes.length];
  }

  @Override
  public Mono<byte[]> requestResponse(Frame request) {
    return lane().requestResponse(request);
  }

  @Override
  public Mono<Void> fireAndForget(Frame request) {
    return lane().fireAndForget(request);
  }

  @Override
  public Flux<byte[]> requestStream(Frame request) {
    return lane().requestStream(request);
  }

  @Override
  public Flux<byte[]> requestChannel(Frame head, Flux<byte[]> requests) {
    return lane().requestChannel(head, requests);
  }

  @Override
  public Mono<Void> onClose() {
    return closed;
  }

  @Override
  public void dispose() {
    for (Connection lane : lanes) {
      lane.dispose();
    }
  }

  @Override
  public boolean isDisposed() {
    for (Connection lane : lanes) {
      if (lane.isDisposed()) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return "EventLoopConnections{" + lanes.length + " × " + lanes[0] + "}";
  }
}
