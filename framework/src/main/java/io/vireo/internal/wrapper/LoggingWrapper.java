package io.vireo.internal.wrapper;

import io.vireo.Call;
import io.vireo.Headers;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.broker.Message;
import io.vireo.config.Config;
import io.vireo.internal.observability.Outcome;
import io.vireo.wrapper.CallFunction;
import io.vireo.wrapper.EventFunction;
import io.vireo.wrapper.Wrapper;
import io.vireo.wrapper.spi.WrapperProvider;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import reactor.core.publisher.Flux;

/**
 * {@code logging}: one line per failed call or event, with service, endpoint, status, caller and
 * trace id; successful calls at DEBUG. Each line also has the trace id in the MDC ({@value
 * #MDC_TRACE_ID}), so that a JSON log encoder puts it in a field of its own.
 */
public final class LoggingWrapper implements Wrapper {
  public static final String NAME = "logging";

  /** The MDC key of the trace id, as OpenTelemetry's log bridges name it. */
  public static final String MDC_TRACE_ID = "trace_id";

  private static final Logger log = LoggerFactory.getLogger(LoggingWrapper.class);

  @Override
  public CallFunction server(CallFunction next) {
    return (call, requests) -> logged("served", call, next.apply(call, requests));
  }

  @Override
  public CallFunction client(CallFunction next) {
    return (call, requests) -> logged("called", call, next.apply(call, requests));
  }

  @Override
  public EventFunction subscriber(EventFunction next) {
    return event ->
        next.handle(event)
            .doOnError(
                error -> {
                  VireoException vireo = VireoException.from(error);
                  String trace = traceId(event.headers());
                  try (MDC.MDCCloseable mdc = traceInMdc(trace)) {
                    log.warn(
                        "event failed topic={} id={} status={} trace={} message=\"{}\"",
                        event.topic(),
                        event.headers().get(Message.MESSAGE_ID).orElse("-"),
                        vireo.status(),
                        trace,
                        vireo.getMessage());
                  }
                });
  }

  private static Flux<Object> logged(String what, Call call, Flux<Object> responses) {
    return Outcome.on(
        responses,
        call.kind(),
        ended -> {
          Throwable error = ended.error();
          long millis = ended.nanos() / 1_000_000;
          if (error != null) {
            VireoException vireo = VireoException.from(error);
            String trace = traceId(call.headers());
            try (MDC.MDCCloseable mdc = traceInMdc(trace)) {
              log.warn(
                  "{} call failed service={} endpoint={} status={} caller={} trace={} millis={} message=\"{}\"",
                  what,
                  call.service(),
                  call.route(),
                  vireo.status(),
                  call.headers().get(Headers.CALLER).orElse("-"),
                  trace,
                  millis,
                  vireo.getMessage());
            }
          } else if (log.isDebugEnabled()) {
            try (MDC.MDCCloseable mdc = traceInMdc(traceId(call.headers()))) {
              log.debug(
                  "{} call {} service={} endpoint={} millis={}",
                  what,
                  ended.status() == Status.OK ? "ok" : "cancelled",
                  call.service(),
                  call.route(),
                  millis);
            }
          }
        });
  }

  /** Puts the trace id in the MDC until closed; null (nothing to close) without one. */
  private static MDC.@Nullable MDCCloseable traceInMdc(String traceId) {
    return traceId.equals("-") ? null : MDC.putCloseable(MDC_TRACE_ID, traceId);
  }

  /** The trace id of a W3C traceparent ({@code 00-<trace id>-<span id>-<flags>}), or "-". */
  static String traceId(Headers headers) {
    String traceparent = headers.get(Headers.TRACEPARENT).orElse("");
    String[] parts = traceparent.split("-");
    return parts.length >= 2 ? parts[1] : "-";
  }

  /** {@code logging}. */
  public static final class Provider implements WrapperProvider {
    @Override
    public String name() {
      return NAME;
    }

    @Override
    public Wrapper create(Config config) {
      return new LoggingWrapper();
    }
  }
}
