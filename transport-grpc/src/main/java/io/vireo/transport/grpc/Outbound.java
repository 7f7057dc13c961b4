package io.vireo.transport.grpc;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Operators;

/**
 * Sends a {@link org.reactivestreams.Publisher}'s messages on a gRPC call, pulling them only while
 * the call {@link #ready() is ready} (its outbound buffer is under gRPC's threshold): at most
 * {@code prefetch} messages are requested ahead, and none while the peer's flow-control window is
 * full, so a slow receiver slows the producer.
 *
 * <p>The signals are serial (Reactive Streams); {@link #onReady} comes from the transport's thread
 * at any time, and only requests.
 */
abstract class Outbound implements CoreSubscriber<byte[]> {
  @SuppressWarnings("rawtypes")
  private static final AtomicReferenceFieldUpdater<Outbound, Subscription> UPSTREAM =
      AtomicReferenceFieldUpdater.newUpdater(Outbound.class, Subscription.class, "upstream");

  private final int prefetch;
  private final int refill;
  private final AtomicInteger outstanding = new AtomicInteger();
  private volatile @Nullable Subscription upstream;
  private volatile boolean done;

  Outbound(int prefetch) {
    this.prefetch = prefetch;
    this.refill = Math.max(1, prefetch / 2);
  }

  /** Whether the call takes more messages now without buffering. */
  protected abstract boolean ready();

  protected abstract void send(byte[] message);

  /** The publisher completed. */
  protected abstract void finish();

  /** The publisher failed. */
  protected abstract void fail(Throwable error);

  @Override
  public final void onSubscribe(Subscription subscription) {
    if (Operators.setOnce(UPSTREAM, this, subscription)) {
      replenish();
    }
  }

  @Override
  public final void onNext(byte[] message) {
    if (done) {
      return;
    }
    outstanding.decrementAndGet();
    send(message);
    replenish();
  }

  @Override
  public final void onError(Throwable error) {
    if (!done) {
      done = true;
      fail(error);
    }
  }

  @Override
  public final void onComplete() {
    if (!done) {
      done = true;
      finish();
    }
  }

  /** The call became ready again: ask for more. */
  final void onReady() {
    replenish();
  }

  /** Stops pulling: the call ended. */
  final void stop() {
    done = true;
    Operators.terminate(UPSTREAM, this);
  }

  private void replenish() {
    Subscription subscription = upstream;
    if (subscription == null
        || subscription == Operators.cancelledSubscription()
        || done
        || !ready()) {
      return;
    }
    for (; ; ) {
      int ahead = outstanding.get();
      if (ahead >= refill) {
        return;
      }
      if (outstanding.compareAndSet(ahead, prefetch)) {
        subscription.request(prefetch - ahead);
        return;
      }
    }
  }
}
