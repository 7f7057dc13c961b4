package io.vireo.internal.wrapper;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vireo.Call;
import io.vireo.CallKind;
import io.vireo.Headers;
import io.vireo.Route;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.wrapper.CallFunction;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

class LoggingWrapperTest {
  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private final Logger logger = (Logger) LoggerFactory.getLogger(LoggingWrapper.class);
  private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
  private Level level;

  @BeforeEach
  void capture() {
    level = logger.getLevel();
    logger.setLevel(Level.DEBUG);
    lines.start();
    logger.addAppender(lines);
  }

  @AfterEach
  void release() {
    logger.detachAppender(lines);
    logger.setLevel(level);
  }

  @Test
  void putsTheCallersTraceIdInTheMdcOfEachLine() {
    CallFunction ok = new LoggingWrapper().server((call, requests) -> Flux.just("reply"));
    CallFunction failing =
        new LoggingWrapper()
            .server((call, requests) -> Flux.error(new VireoException(Status.INTERNAL, "boom")));
    ok.apply(call(CallKind.SERVER_STREAM, true), Flux.empty()).blockLast();
    failing
        .apply(call(CallKind.SERVER_STREAM, true), Flux.empty())
        .onErrorResume(e -> Mono.empty())
        .blockLast();
    assertThat(lines.list)
        .hasSize(2)
        .allSatisfy(
            line ->
                assertThat(line.getMDCPropertyMap())
                    .containsEntry(LoggingWrapper.MDC_TRACE_ID, TRACE));
    assertThat(lines.list.get(1).getFormattedMessage())
        .contains("status=INTERNAL", "trace=" + TRACE);
  }

  @Test
  void logsAUnaryCallEndedByItsOneReplyAsOk() {
    CallFunction served =
        new LoggingWrapper().server((call, requests) -> Flux.just("reply", "never asked for"));
    Mono.from(served.apply(call(CallKind.UNARY, false), Flux.empty())).block();
    assertThat(lines.list)
        .singleElement()
        .satisfies(
            line -> {
              assertThat(line.getFormattedMessage()).startsWith("served call ok");
              assertThat(line.getMDCPropertyMap()).doesNotContainKey(LoggingWrapper.MDC_TRACE_ID);
            });
  }

  private static Call call(CallKind kind, boolean traced) {
    Headers headers =
        traced
            ? Headers.of(Map.of(Headers.TRACEPARENT, "00-" + TRACE + "-00f067aa0ba902b7-01"))
            : Headers.empty();
    return new Call(
        "greeter",
        Route.of("vireo.samples.greeter.Greeter", "SayHello"),
        kind,
        headers,
        Duration.ofSeconds(5),
        true);
  }
}
