package io.vireo.internal.resilience;

import io.vireo.resilience.BreakerState;
import io.vireo.resilience.CircuitBreakerWrapper;
import io.vireo.wrapper.CallFunction;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Client calls through a {@link ClientGuard} per target service: the guards configured for named
 * services, or one made on first use for each service when built in code. Calls to a service
 * without a guard go straight through.
 */
public final class ClientWrapper implements CircuitBreakerWrapper {
  private final Map<String, ClientGuard> guards;
  private final Function<String, ClientGuard> factory;

  private ClientWrapper(Map<String, ClientGuard> guards, Function<String, ClientGuard> factory) {
    this.guards = guards;
    this.factory = factory;
  }

  /** A guard for every service, each made by {@code factory}. */
  public static ClientWrapper forEachService(Function<String, ClientGuard> factory) {
    return new ClientWrapper(new ConcurrentHashMap<>(), factory);
  }

  /** These guards only. */
  static ClientWrapper of(Map<String, ClientGuard> guards) {
    return new ClientWrapper(
        Map.copyOf(guards),
        service -> {
          throw new IllegalStateException("no guard for " + service);
        });
  }

  private boolean fixed() {
    return !(guards instanceof ConcurrentHashMap);
  }

  @Override
  public CallFunction client(CallFunction next) {
    if (fixed()) {
      return (call, requests) -> {
        ClientGuard guard = guards.get(call.service());
        return guard == null ? next.apply(call, requests) : guard.call(next, call, requests);
      };
    }
    return (call, requests) ->
        guards.computeIfAbsent(call.service(), factory).call(next, call, requests);
  }

  @Override
  public Optional<BreakerState> state(String service) {
    ClientGuard guard = guards.get(service);
    return guard == null ? Optional.empty() : Optional.ofNullable(guard.state());
  }
}
