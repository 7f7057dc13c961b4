package io.vireo.internal.runtime;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

/**
 * The middle of a one-operator stage on the call path: subscribed to an upstream, it is the
 * downstream's subscription, passing demand and cancellation up. Subclasses decide what each signal
 * becomes; this holds the plumbing that {@code Observed}, deadlines, the router's {@code Served}
 * and the wrappers' outcome observer would otherwise each repeat.
 *
 * @param <I> what the upstream emits
 * @param <O> what {@code actual} receives
 */
public abstract class Relay<I, O> implements CoreSubscriber<I>, Subscription {
  protected final CoreSubscriber<? super O> actual;
  private @Nullable Subscription upstream;

  protected Relay(CoreSubscriber<? super O> actual) {
    this.actual = actual;
  }

  @Override
  public Context currentContext() {
    return actual.currentContext();
  }

  @Override
  public final void onSubscribe(Subscription subscription) {
    if (Operators.validate(upstream, subscription)) {
      upstream = subscription;
      actual.onSubscribe(this);
      subscribed();
    }
  }

  /** After the downstream has its subscription: where a stage arms what it needs. */
  protected void subscribed() {}

  @Override
  public void request(long n) {
    Subscription subscription = upstream;
    if (subscription != null) {
      subscription.request(n);
    }
  }

  @Override
  public void cancel() {
    cancelUpstream();
  }

  /** Cancels the upstream, if subscribed. */
  protected final void cancelUpstream() {
    Subscription subscription = upstream;
    if (subscription != null) {
      subscription.cancel();
    }
  }
}
