package io.vireo.gateway.internal;

import io.vireo.Status;
import io.vireo.config.Config;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Finds each request's route and runs it through its filters: the configured routes first, in
 * order, then the built-in mappings. The table is replaced as a whole when the configuration
 * changes; requests in flight finish on the table they started with.
 */
public final class Routing {
  private static final Logger log = LoggerFactory.getLogger(Routing.class);

  private final FilterChains chains;
  private final HttpProxy proxy;
  private final BiFunction<RouteDef, RouteDef.Rpc, Handler> rpc;
  private final List<Mapping> mappings;
  private volatile Table table;

  private record Entry(RouteDef route, Policy policy, Handler chain) {}

  private record Table(List<Entry> routes, Policies policies) {}

  public Routing(
      Config config,
      FilterChains chains,
      HttpProxy proxy,
      BiFunction<RouteDef, RouteDef.Rpc, Handler> rpc,
      List<Mapping> mappings) {
    this.chains = chains;
    this.proxy = proxy;
    this.rpc = rpc;
    this.mappings = List.copyOf(mappings);
    this.table = compile(config);
  }

  /**
   * Reads the routes again; on a mistake the old table stays, and the mistake is logged and
   * returned, naming the key to fix.
   */
  public Optional<String> reload(Config config) {
    try {
      Table fresh = compile(config);
      table = fresh;
      log.info(
          "gateway routes: {}",
          fresh.routes().stream().map(e -> e.route().id() + " " + e.route().path()).toList());
      return Optional.empty();
    } catch (IllegalArgumentException e) {
      log.error("gateway routes not changed: {}", e.getMessage());
      return Optional.of(e.getMessage());
    }
  }

  private Table compile(Config config) {
    Policies policies = new Policies(config);
    List<Entry> entries = new ArrayList<>();
    for (RouteDef route : RouteDef.parseAll(config.subset("vireo.gateway"))) {
      Policy base =
          route.target() instanceof RouteDef.Rpc target
              ? policies.service(target.service())
              : policies.global();
      Policy policy = base.with(route.policy());
      chains.check(route.id(), policy);
      Handler target =
          route.target() instanceof RouteDef.Upstream upstream
              ? proxy.handler(route, upstream)
              : rpc.apply(route, (RouteDef.Rpc) route.target());
      entries.add(new Entry(route, policy, chains.chain(route.id(), policy, target)));
    }
    return new Table(List.copyOf(entries), policies);
  }

  public Mono<Reply> handle(Exchange exchange) {
    Table current = table;
    for (Entry entry : current.routes()) {
      if (entry.route().matches(exchange)) {
        exchange.routeId(entry.route().id());
        return entry.chain().handle(exchange);
      }
    }
    for (Mapping mapping : mappings) {
      Optional<Mapping.Routed> routed = mapping.route(exchange, current.policies());
      if (routed.isPresent()) {
        exchange.routeId(routed.get().id());
        exchange.target(routed.get().target());
        return chains.routed(routed.get().id(), routed.get().policy()).handle(exchange);
      }
    }
    exchange.routeId("none");
    return chains
        .chain(
            "none",
            current.policies().global(),
            e ->
                Mono.just(
                    HttpErrors.reply(
                        Status.NOT_FOUND, "no route for " + e.method().name() + " " + e.path())))
        .handle(exchange);
  }
}
