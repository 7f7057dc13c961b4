package io.vireo.wrapper;

import io.vireo.Call;
import reactor.core.publisher.Flux;

/**
 * One call, client or server side, in one shape for all kinds: the requests in, the responses out
 * (one of each for unary calls, none out for fire-and-forget). Objects are the decoded messages.
 */
@FunctionalInterface
public interface CallFunction {
  Flux<Object> apply(Call call, Flux<Object> requests);
}
