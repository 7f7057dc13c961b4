package io.vireo;

/** The shape of a call, decided by the handler method's signature. */
public enum CallKind {
  /** {@code Mono<R> m(Q)}. */
  UNARY,
  /** {@code Mono<Void> m(Q)}: no answer travels back. */
  FIRE_AND_FORGET,
  /** {@code Flux<R> m(Q)}. */
  SERVER_STREAM,
  /** {@code Mono<R> m(Flux<Q>)}. */
  CLIENT_STREAM,
  /** {@code Flux<R> m(Flux<Q>)}. */
  BIDI_STREAM;

  /** Whether the requests are a stream. */
  public boolean clientStreams() {
    return this == CLIENT_STREAM || this == BIDI_STREAM;
  }

  /** Whether the responses are a stream. */
  public boolean serverStreams() {
    return this == SERVER_STREAM || this == BIDI_STREAM;
  }
}
