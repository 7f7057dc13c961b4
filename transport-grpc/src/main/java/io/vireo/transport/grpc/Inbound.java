package io.vireo.transport.grpc;

import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;

/**
 * The messages a gRPC call receives, as a {@link Flux} whose demand is the call's {@code
 * request(n)}: gRPC delivers no message that was not requested and HTTP/2 flow control holds back
 * the rest, so nothing is buffered here. One subscriber.
 *
 * <p>Messages and the end arrive on the transport's thread, in order. The end may come before
 * anyone subscribes (a call that sent nothing); it is kept and signalled on subscription.
 */
abstract class Inbound extends Flux<byte[]> implements Subscription {
  private final AtomicBoolean subscribedOnce = new AtomicBoolean();
  private final AtomicBoolean terminated = new AtomicBoolean();
  private volatile @Nullable CoreSubscriber<? super byte[]> actual;
  private volatile boolean ready;
  private volatile boolean cancelled;
  private boolean ended; // guarded by this
  private @Nullable Throwable failure; // guarded by this
  private long requested; // guarded by this

  /** Asks the call for {@code n} more messages. */
  protected abstract void requestMessages(int n);

  /**
   * Called once the subscriber is in place and before it may request: starts the call, if needed.
   */
  protected void subscribed() {}

  /** The subscriber cancelled: stop the call, or just stop asking for messages. */
  protected abstract void cancelled();

  @Override
  public void subscribe(CoreSubscriber<? super byte[]> subscriber) {
    if (!subscribedOnce.compareAndSet(false, true)) {
      Operators.error(
          subscriber,
          new IllegalStateException("a gRPC call's messages can be subscribed to once"));
      return;
    }
    actual = subscriber;
    subscribed();
    subscriber.onSubscribe(this);
    boolean end;
    synchronized (this) {
      ready = true;
      end = ended;
    }
    if (end) {
      signalEnd();
    }
  }

  /** A message from the transport; it was requested. */
  final void deliver(byte[] message) {
    CoreSubscriber<? super byte[]> subscriber = actual;
    if (subscriber != null && !cancelled && !terminated.get()) {
      subscriber.onNext(message);
    }
  }

  final void completed() {
    end(null);
  }

  final void failed(Throwable error) {
    end(error);
  }

  private void end(@Nullable Throwable error) {
    boolean now;
    synchronized (this) {
      if (ended) {
        return;
      }
      ended = true;
      failure = error;
      now = ready;
    }
    if (now) {
      signalEnd();
    }
  }

  private void signalEnd() {
    CoreSubscriber<? super byte[]> subscriber = actual;
    if (subscriber == null || cancelled || !terminated.compareAndSet(false, true)) {
      return;
    }
    Throwable error;
    synchronized (this) {
      error = failure;
    }
    if (error == null) {
      subscriber.onComplete();
    } else {
      subscriber.onError(error);
    }
  }

  @Override
  public final void request(long n) {
    if (!Operators.validate(n) || cancelled) {
      return;
    }
    int ask;
    synchronized (this) {
      if (requested >= Integer.MAX_VALUE) {
        return; // already unbounded
      }
      long total = requested + n;
      if (total < 0 || total >= Integer.MAX_VALUE) {
        ask = (int) (Integer.MAX_VALUE - requested);
        requested = Integer.MAX_VALUE;
      } else {
        ask = (int) n;
        requested = total;
      }
    }
    requestMessages(ask);
  }

  @Override
  public final void cancel() {
    if (!cancelled) {
      cancelled = true;
      cancelled();
    }
  }

  final boolean isCancelled() {
    return cancelled;
  }
}
