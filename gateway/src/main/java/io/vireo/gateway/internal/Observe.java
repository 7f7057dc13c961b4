package io.vireo.gateway.internal;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * The access log (logger {@code io.vireo.gateway.access}, one line per request) and the per-route
 * timer {@code vireo.gateway.requests} (tags route, method, status, code).
 */
final class Observe implements Step {
  private static final Logger access = LoggerFactory.getLogger("io.vireo.gateway.access");

  private final MeterRegistry meters;
  private final boolean log;

  Observe(MeterRegistry meters, boolean log) {
    this.meters = meters;
    this.log = log;
  }

  @Override
  public Mono<Reply> apply(Exchange exchange, Handler next) {
    return next.handle(exchange)
        .doOnNext(
            reply -> {
              long nanos = System.nanoTime() - exchange.startNanos();
              Timer.builder("vireo.gateway.requests")
                  .tag("route", exchange.routeId())
                  .tag("method", exchange.method().name())
                  .tag("status", Integer.toString(reply.status().code()))
                  .tag("code", reply.callStatus().name())
                  .publishPercentileHistogram()
                  .register(meters)
                  .record(nanos, TimeUnit.NANOSECONDS);
              if (log && access.isInfoEnabled()) {
                access.info(
                    "{} \"{} {}\" {} {}ms route={} request-id={}",
                    exchange.clientIp(),
                    exchange.method().name(),
                    exchange.originalPath(),
                    reply.status().code(),
                    TimeUnit.NANOSECONDS.toMillis(nanos),
                    exchange.routeId(),
                    exchange.requestId());
              }
            });
  }
}
