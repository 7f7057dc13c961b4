package io.vireo.transport.rsocket;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

/**
 * The middle of a one-operator stage between rsocket-java and Vireo: subscribed to an upstream, it
 * is the downstream's subscription, passing demand and cancellation up. Subclasses decide what each
 * signal becomes (the framework has the same base for its own stages, in a package this module does
 * not import).
 *
 * @param <I> what the upstream emits
 * @param <O> what {@code actual} receives
 */
abstract class Relay<I, O> implements CoreSubscriber<I>, Subscription {
  protected final CoreSubscriber<? super O> actual;
  private @Nullable Subscription upstream;

  Relay(CoreSubscriber<? super O> actual) {
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
