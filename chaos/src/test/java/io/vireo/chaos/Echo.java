package io.vireo.chaos;

import io.vireo.Idempotent;
import io.vireo.RpcService;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The service every chaos case calls; JSON on the wire (vireo.codec=json). */
@RpcService("vireo.chaos.Echo")
public interface Echo {
  record Request(long id, int delayMillis) {}

  record Reply(long id, String from) {}

  record StreamRequest(int count, int size) {}

  record Chunk(int index, String data) {}

  /** Answers after {@code delayMillis}, so that calls are in flight when a provider dies. */
  Mono<Reply> echo(Request request);

  /** The same, marked safe to repeat: clients retry it on another instance. */
  @Idempotent
  Mono<Reply> echoSafe(Request request);

  /** {@code count} chunks of {@code size} characters, produced as the caller asks for them. */
  Flux<Chunk> stream(StreamRequest request);
}
