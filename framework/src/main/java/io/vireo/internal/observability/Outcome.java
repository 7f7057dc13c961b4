package io.vireo.internal.observability;

import io.vireo.CallKind;
import io.vireo.Status;
import io.vireo.VireoException;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;

/**
 * How a call or event ended, once, whatever the signal: a unary response followed by the cancel
 * that {@code Flux.next()} sends is OK, not CANCELLED.
 */
final class Outcome {
  private Outcome() {}

  static Flux<Object> on(Flux<Object> responses, CallKind kind, Consumer<Ended> ended) {
    return Flux.defer(
        () -> {
          boolean[] answered = {false};
          Status[] failed = {Status.OK};
          Throwable[] error = {null};
          return responses
              .doOnNext(item -> answered[0] = true)
              .doOnError(
                  e -> {
                    error[0] = e;
                    failed[0] = VireoException.from(e).status();
                  })
              .doFinally(
                  signal ->
                      ended.accept(
                          new Ended(status(signal, kind, answered[0], failed[0]), error[0])));
        });
  }

  static Mono<Void> on(Mono<Void> done, Consumer<Ended> ended) {
    return Mono.defer(
        () -> {
          Status[] failed = {Status.OK};
          Throwable[] error = {null};
          return done.doOnError(
                  e -> {
                    error[0] = e;
                    failed[0] = VireoException.from(e).status();
                  })
              .doFinally(
                  signal ->
                      ended.accept(
                          new Ended(
                              signal == SignalType.CANCEL ? Status.CANCELLED : failed[0],
                              error[0])));
        });
  }

  private static Status status(SignalType signal, CallKind kind, boolean answered, Status failed) {
    if (signal == SignalType.ON_ERROR) {
      return failed;
    }
    if (signal == SignalType.CANCEL) {
      return answered && !kind.serverStreams() ? Status.OK : Status.CANCELLED;
    }
    return Status.OK;
  }

  /** The status a call ended with and its error, if it failed. */
  record Ended(Status status, @Nullable Throwable error) {}
}
