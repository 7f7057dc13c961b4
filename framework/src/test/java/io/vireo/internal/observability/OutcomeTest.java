package io.vireo.internal.observability;

import static org.assertj.core.api.Assertions.assertThat;

import io.vireo.CallKind;
import io.vireo.Status;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/**
 * A wrapper chain's observers fused into one operator tell each observer what the separate
 * operators told it: one start, one end with the call's status, in the chain's order.
 */
class OutcomeTest {
  private final List<String> told = new ArrayList<>();

  private Outcome.Observer observer(String name) {
    return new Outcome.Observer() {
      @Override
      public void started() {
        told.add(name + " started");
      }

      @Override
      public void ended(Outcome.Ended ended) {
        told.add(name + " " + ended.status());
      }
    };
  }

  /** metrics(tracing(logging(source))), as the standard chain nests them. */
  private Flux<Object> chain(Flux<Object> source, CallKind kind) {
    Flux<Object> logging = Outcome.on(source, kind, observer("logging"));
    Flux<Object> tracing =
        Outcome.deferred(
            kind,
            context ->
                new Outcome.Start(
                    logging, observer("tracing"), downstream -> downstream.put("span", "s1")));
    return Outcome.on(tracing, kind, observer("metrics"));
  }

  @Test
  void eachObserverOfTheChainIsToldOnceInTheChainsOrder() {
    Flux<Object> source =
        Flux.deferContextual(context -> Flux.just((Object) context.get("span"), "b"));

    StepVerifier.create(chain(source, CallKind.SERVER_STREAM))
        .expectNext("s1", "b")
        .verifyComplete();

    assertThat(told)
        .containsExactly(
            "metrics started",
            "tracing started",
            "logging started",
            "metrics OK",
            "tracing OK",
            "logging OK");
  }

  @Test
  void aUnaryCallCancelledAfterItsAnswerIsOkAndOneCancelledBeforeIsCancelled() {
    StepVerifier.create(chain(Flux.just("a", "b"), CallKind.UNARY).next())
        .expectNext("a")
        .verifyComplete();
    assertThat(told).endsWith("metrics OK", "tracing OK", "logging OK");

    told.clear();
    StepVerifier.create(chain(Flux.never(), CallKind.UNARY)).thenCancel().verify();
    assertThat(told).endsWith("metrics CANCELLED", "tracing CANCELLED", "logging CANCELLED");
  }

  @Test
  void aStartThatThrowsFailsTheCallAndIsSeenByTheWrappersAroundIt() {
    Flux<Object> failing =
        Outcome.deferred(
            CallKind.UNARY,
            context -> {
              throw new IllegalStateException("no span today");
            });
    Flux<Object> observed = Outcome.on(failing, CallKind.UNARY, observer("metrics"));

    StepVerifier.create(observed).expectErrorMessage("no span today").verify();

    assertThat(told).containsExactly("metrics started", "metrics " + Status.FAILED_PRECONDITION);
  }

  @Test
  void anObserverThatThrowsDoesNotKeepTheOthersFromBeingTold() {
    Outcome.Observer broken =
        ended -> {
          throw new IllegalStateException("broken observer");
        };
    Flux<Object> observed =
        Outcome.on(
            Outcome.on(Flux.just("a"), CallKind.SERVER_STREAM, observer("inner")),
            CallKind.SERVER_STREAM,
            broken);

    // the broken observer's error goes up the stack that completed the call, as it did before
    // the observers were fused; what matters here is that the inner observer was still told
    try {
      observed.blockLast();
    } catch (IllegalStateException expected) {
      assertThat(expected).hasMessage("broken observer");
    }

    assertThat(told).containsExactly("inner started", "inner OK");
  }
}
