package io.vireo.gateway.internal;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.publisher.Mono;

/**
 * Degradation (降级): when the call fails (5xx, timeout, open breaker, no instance), the last good
 * reply of the same request ({@code fallback.last-good=true}; path and query, bodies up to 64 KB)
 * or a static one ({@code fallback.body}, {@code fallback.status} default 200, {@code
 * fallback.content-type} default JSON). Replies from a fallback carry {@code X-Vireo-Fallback}.
 */
final class Fallback implements Step {
  private static final int MAX_REMEMBERED = 1_000;
  private static final int MAX_BODY = 64 * 1024;

  private final Optional<byte[]> body;
  private final int status;
  private final String contentType;
  private final boolean lastGood;
  private final Map<String, byte[]> remembered = new ConcurrentHashMap<>();
  private final Map<String, String> rememberedTypes = new ConcurrentHashMap<>();

  Fallback(Policy policy) {
    this.body = policy.get("fallback.body").map(b -> b.getBytes(StandardCharsets.UTF_8));
    this.status = policy.integer("fallback.status", 200);
    this.contentType = policy.get("fallback.content-type").orElse(Reply.JSON);
    this.lastGood = policy.bool("fallback.last-good", false);
    if (body.isEmpty() && !lastGood) {
      throw new IllegalArgumentException(
          policy.key("fallback")
              + ": nothing to answer (expected: fallback.body or fallback.last-good=true)");
    }
  }

  static boolean configured(Policy policy) {
    return policy.has("fallback");
  }

  @Override
  public Mono<Reply> apply(Exchange exchange, Handler next) {
    String key =
        exchange.method().name() + " " + exchange.originalPath() + "?" + exchange.rawQuery();
    return next.handle(exchange)
        .onErrorResume(error -> Mono.just(HttpErrors.reply(error)))
        .flatMap(
            reply -> {
              if (!reply.isServerFailure()) {
                return lastGood
                    ? buffered(reply).doOnNext(r -> remember(key, r))
                    : Mono.just(reply);
              }
              return Mono.just(fallback(key).orElse(reply));
            });
  }

  /** A proxied reply of known small length as bytes, so that it can be remembered. */
  private static Mono<Reply> buffered(Reply reply) {
    if (reply.status().code() != 200
        || !(reply.body() instanceof Reply.Stream stream)
        || stream.flushEach()) {
      return Mono.just(reply);
    }
    long length = reply.headers().getInt("content-length", -1);
    if (length < 0 || length > MAX_BODY) {
      return Mono.just(reply);
    }
    return stream
        .content()
        .reduce(
            new ByteArrayOutputStream((int) length),
            (out, buf) -> {
              try {
                buf.readBytes(out, buf.readableBytes());
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              } finally {
                buf.release();
              }
              return out;
            })
        .map(out -> reply.withBody(new Reply.Bytes(out.toByteArray())));
  }

  private void remember(String key, Reply reply) {
    if (lastGood
        && reply.status().code() == 200
        && reply.body() instanceof Reply.Bytes bytes
        && bytes.content().length <= MAX_BODY) {
      if (remembered.size() >= MAX_REMEMBERED && !remembered.containsKey(key)) {
        return;
      }
      remembered.put(key, bytes.content());
      rememberedTypes.put(
          key, Optional.ofNullable(reply.headers().get("content-type")).orElse(Reply.JSON));
    }
  }

  private Optional<Reply> fallback(String key) {
    if (lastGood) {
      byte[] last = remembered.get(key);
      if (last != null) {
        Reply reply =
            Reply.bytes(HttpResponseStatus.OK, rememberedTypes.getOrDefault(key, Reply.JSON), last);
        reply.headers().set("x-vireo-fallback", "last-good");
        return Optional.of(reply);
      }
    }
    return body.map(
        content -> {
          Reply reply = Reply.bytes(HttpResponseStatus.valueOf(status), contentType, content);
          reply.headers().set("x-vireo-fallback", "static");
          return reply;
        });
  }
}
