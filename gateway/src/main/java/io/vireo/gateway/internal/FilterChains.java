package io.vireo.gateway.internal;

import io.micrometer.core.instrument.MeterRegistry;
import io.vireo.security.TokenVerifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;

/**
 * Builds each route's filters from its {@link Policy}, in a fixed order: access log and metrics,
 * request id, tracing, CORS, size limit, auth, rate limit, timeout, header rewrite, canary,
 * fallback, circuit breaker. Filters with state (buckets, breakers, remembered replies) are kept
 * per route while its settings stay the same, so that a configuration push does not reset them.
 */
public final class FilterChains {
  private final MeterRegistry meters;
  private final Optional<TokenVerifier> verifier;
  private final IntSupplier gateways;
  private final Map<String, Built> built = new ConcurrentHashMap<>();

  public FilterChains(
      MeterRegistry meters, Optional<TokenVerifier> verifier, IntSupplier gateways) {
    this.meters = meters;
    this.verifier = verifier;
    this.gateways = gateways;
  }

  /**
   * {@code routed}: the steps around the exchange's own target ({@link Exchange#target}), built
   * once, for the mappings whose target differs per request (building a chain per request was a
   * dozen lambdas and a policy comparison per request).
   */
  private record Built(
      Policy policy, List<Step> steps, Optional<Breaker> breaker, Handler routed) {}

  /** The route's chain around {@code terminal}. */
  public Handler chain(String scope, Policy policy, Handler terminal) {
    return Step.chain(steps(scope, policy).steps(), terminal);
  }

  /** The route's chain around the exchange's {@link Exchange#target target}. */
  public Handler routed(String scope, Policy policy) {
    return steps(scope, policy).routed();
  }

  /** The breaker state of a route, if it has one ("CLOSED", "OPEN", "HALF_OPEN"). */
  public Optional<String> breakerState(String scope) {
    return Optional.ofNullable(built.get(scope)).flatMap(Built::breaker).map(b -> b.state().name());
  }

  private Built steps(String scope, Policy policy) {
    Built current = built.get(scope);
    if (current != null && (current.policy() == policy || current.policy().equals(policy))) {
      return current;
    }
    Built fresh = build(scope, policy);
    built.put(scope, fresh);
    return fresh;
  }

  /**
   * Validates a policy by building it (at configuration time, so that mistakes show before
   * requests).
   */
  public void check(String scope, Policy policy) {
    steps(scope, policy);
  }

  private Built build(String scope, Policy policy) {
    List<Step> steps = new ArrayList<>();
    steps.add(new Observe(meters, policy.bool("access-log.enabled", true)));
    steps.add(new RequestId());
    steps.add(new Tracing());
    if (policy.has("cors")) {
      steps.add(new Cors(policy));
    }
    steps.add(new SizeLimit(policy));
    if (policy.bool("auth.required", false)) {
      steps.add(
          new Authenticate(
              verifier.orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          policy.key("auth.required")
                              + ": true without a verifier (expected: vireo.gateway.auth.jwt.* or vireo.gateway.auth.static.<subject>.token)")),
              policy));
    }
    if (RateLimit.configured(policy)) {
      steps.add(new RateLimit(policy, gateways));
    }
    steps.add(new Timeouts(policy));
    if (HeaderRewrite.configured(policy)) {
      steps.add(new HeaderRewrite(policy));
    }
    if (Canary.configured(policy)) {
      steps.add(new Canary(policy));
    }
    if (Fallback.configured(policy)) {
      steps.add(new Fallback(policy));
    }
    Optional<Breaker> breaker = Optional.empty();
    if (Breaker.configured(policy)) {
      breaker = Optional.of(new Breaker(scope, policy));
      steps.add(breaker.get());
    }
    List<Step> all = List.copyOf(steps);
    return new Built(
        policy, all, breaker, Step.chain(all, exchange -> exchange.target().handle(exchange)));
  }
}
