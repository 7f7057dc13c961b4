package io.vireo.gateway.internal;

import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;

/**
 * The request stream of a WebSocket call: the socket's text frames up to an empty one (or the end
 * of the socket), with the call's demand. The socket's inbound is never cancelled — with
 * reactor-netty that would close the socket before the replies are sent — it is drained instead.
 */
final class SocketRequests extends BaseSubscriber<String> {
  private final FluxSink<String> sink;
  private volatile boolean ended;

  private SocketRequests(FluxSink<String> sink) {
    this.sink = sink;
  }

  static Flux<String> of(Flux<String> frames) {
    return Flux.create(
        sink -> {
          SocketRequests inbound = new SocketRequests(sink);
          frames.subscribe(inbound); // first: a request before the subscription would be lost
          sink.onRequest(inbound::demand);
          sink.onCancel(inbound::end);
        });
  }

  @Override
  protected void hookOnSubscribe(Subscription subscription) {
    // demand comes from the call
  }

  @Override
  protected void hookOnNext(String text) {
    if (ended) {
      return;
    }
    if (text.isEmpty()) {
      end();
      sink.complete();
      return;
    }
    sink.next(text);
  }

  @Override
  protected void hookOnComplete() {
    if (!ended) {
      sink.complete();
    }
  }

  @Override
  protected void hookOnError(Throwable error) {
    if (!ended) {
      sink.error(error);
    }
  }

  private void end() {
    if (!ended) {
      ended = true;
      requestUnbounded(); // drain the rest (such as the close) without cancelling
    }
  }

  private void demand(long n) {
    if (!ended) {
      request(n);
    }
  }
}
