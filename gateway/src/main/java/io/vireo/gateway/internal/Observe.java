package io.vireo.gateway.internal;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.handler.codec.http.HttpMethod;
import io.vireo.Status;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
  // the timers met so far: building and registering one per request (a registry lookup behind a
  // builder, tags sorted and hashed) was 3-4% of the gateway's CPU; a route change builds a new
  // chain, hence a new cache
  private final Map<TimerKey, Timer> timers = new ConcurrentHashMap<>();

  private static final int MAX_TIMERS = 1024;

  private record TimerKey(String route, HttpMethod method, int status, Status code) {}

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
              timer(exchange, reply).record(nanos, TimeUnit.NANOSECONDS);
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

  private Timer timer(Exchange exchange, Reply reply) {
    TimerKey key =
        new TimerKey(
            exchange.routeId(), exchange.method(), reply.status().code(), reply.callStatus());
    Timer timer = timers.get(key);
    if (timer == null) {
      timer = register(key);
      // bounded: route ids of the default mapping come from request paths
      if (timers.size() < MAX_TIMERS) {
        timers.put(key, timer);
      }
    }
    return timer;
  }

  private Timer register(TimerKey key) {
    return Timer.builder("vireo.gateway.requests")
        .tag("route", key.route())
        .tag("method", key.method().name())
        .tag("status", Integer.toString(key.status()))
        .tag("code", key.code().name())
        .publishPercentileHistogram()
        .register(meters);
  }
}
