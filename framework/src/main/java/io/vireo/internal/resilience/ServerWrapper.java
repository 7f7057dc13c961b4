package io.vireo.internal.resilience;

import io.vireo.wrapper.CallFunction;
import io.vireo.wrapper.Wrapper;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Served calls through the {@link ServerGuard} of their endpoint (by method name), or one guard for
 * all.
 */
public final class ServerWrapper implements Wrapper {
  private final Map<String, ServerGuard> byMethod;
  private final @Nullable ServerGuard all;

  private ServerWrapper(Map<String, ServerGuard> byMethod, @Nullable ServerGuard all) {
    this.byMethod = byMethod;
    this.all = all;
  }

  public static ServerWrapper forEveryEndpoint(ServerGuard guard) {
    return new ServerWrapper(Map.of(), guard);
  }

  static ServerWrapper of(Map<String, ServerGuard> byMethod) {
    return new ServerWrapper(Map.copyOf(byMethod), null);
  }

  @Override
  public CallFunction server(CallFunction next) {
    ServerGuard every = all;
    if (every != null) {
      return (call, requests) -> every.call(next, call, requests);
    }
    return (call, requests) -> {
      ServerGuard guard = byMethod.get(call.route().method());
      return guard == null ? next.apply(call, requests) : guard.call(next, call, requests);
    };
  }
}
