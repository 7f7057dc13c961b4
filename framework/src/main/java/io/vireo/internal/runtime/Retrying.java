package io.vireo.internal.runtime;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

/**
 * Retries of a single-answer call: subscribes to {@code attempt} again, at once, when it fails with
 * a retryable error and retries are left; otherwise the last attempt's error is the call's.
 * Reactor's {@code retryWhen} builds a companion flux and a sink for every subscription, which a
 * call that almost never fails should not pay; this is one subscriber per call and one small inner
 * subscriber per attempt.
 */
final class Retrying<T> extends Mono<T> {
  private final Mono<T> attempt;
  private final int retries;
  private final Predicate<Throwable> retryable;

  Retrying(Mono<T> attempt, int retries, Predicate<Throwable> retryable) {
    this.attempt = attempt;
    this.retries = retries;
    this.retryable = retryable;
  }

  @Override
  public void subscribe(CoreSubscriber<? super T> actual) {
    Parent<T> parent = new Parent<>(this, actual);
    actual.onSubscribe(parent);
    parent.next();
  }

  private static final class Parent<T> implements Subscription {
    @SuppressWarnings("rawtypes")
    private static final AtomicIntegerFieldUpdater<Parent> REQUESTED =
        AtomicIntegerFieldUpdater.newUpdater(Parent.class, "requested");

    private final Retrying<T> retrying;
    private final CoreSubscriber<? super T> actual;
    private volatile @Nullable Subscription current;
    private volatile boolean cancelled;
    private volatile int requested;
    private int attempts;

    Parent(Retrying<T> retrying, CoreSubscriber<? super T> actual) {
      this.retrying = retrying;
      this.actual = actual;
    }

    void next() {
      if (!cancelled) {
        retrying.attempt.subscribe(new Attempt<>(this));
      }
    }

    void attached(Subscription subscription) {
      current = subscription;
      if (cancelled) {
        subscription.cancel();
      } else if (requested != 0) {
        subscription.request(Long.MAX_VALUE);
      }
    }

    void failed(Throwable error) {
      if (!cancelled && attempts < retrying.retries && retrying.retryable.test(error)) {
        attempts++;
        next();
      } else {
        actual.onError(error);
      }
    }

    @Override
    public void request(long n) {
      if (Operators.validate(n) && REQUESTED.compareAndSet(this, 0, 1)) {
        Subscription subscription = current;
        if (subscription != null) {
          subscription.request(Long.MAX_VALUE);
        }
      }
    }

    @Override
    public void cancel() {
      cancelled = true;
      Subscription subscription = current;
      if (subscription != null) {
        subscription.cancel();
      }
    }
  }

  /** One attempt: its answer is the call's; its error may start the next attempt. */
  private static final class Attempt<T> implements CoreSubscriber<T> {
    private final Parent<T> parent;
    private boolean done;

    Attempt(Parent<T> parent) {
      this.parent = parent;
    }

    @Override
    public Context currentContext() {
      return parent.actual.currentContext();
    }

    @Override
    public void onSubscribe(Subscription subscription) {
      parent.attached(subscription);
    }

    @Override
    public void onNext(T value) {
      if (!done) {
        done = true;
        parent.actual.onNext(value);
        parent.actual.onComplete();
      }
    }

    @Override
    public void onError(Throwable error) {
      if (!done) {
        done = true;
        parent.failed(error);
      } else {
        Operators.onErrorDropped(error, currentContext());
      }
    }

    @Override
    public void onComplete() {
      if (!done) {
        done = true;
        parent.actual.onComplete();
      }
    }
  }
}
