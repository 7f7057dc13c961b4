package io.vireo.gateway.internal;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.vireo.Status;
import io.vireo.VireoException;
import java.nio.charset.StandardCharsets;

/**
 * The gateway's error replies: {@code {"code":"<STATUS>","message":"..."}} with the google.rpc HTTP
 * status.
 */
public final class HttpErrors {
  private HttpErrors() {}

  /**
   * The HTTP status of a call status, after google.rpc's {@code code.proto} (CANCELLED is nginx's
   * 499).
   */
  public static int httpStatus(Status status) {
    return switch (status) {
      case OK -> 200;
      case INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE -> 400;
      case UNAUTHENTICATED -> 401;
      case PERMISSION_DENIED -> 403;
      case NOT_FOUND -> 404;
      case ALREADY_EXISTS, ABORTED -> 409;
      case RESOURCE_EXHAUSTED -> 429;
      case CANCELLED -> 499;
      case UNIMPLEMENTED -> 501;
      case UNAVAILABLE -> 503;
      case DEADLINE_EXCEEDED -> 504;
      case UNKNOWN, INTERNAL, DATA_LOSS -> 500;
    };
  }

  /** The call status an HTTP upstream's status stands for (for breakers and gRPC-in replies). */
  public static Status status(int httpStatus) {
    return switch (httpStatus) {
      case 400 -> Status.INVALID_ARGUMENT;
      case 401 -> Status.UNAUTHENTICATED;
      case 403 -> Status.PERMISSION_DENIED;
      case 404 -> Status.NOT_FOUND;
      case 409 -> Status.ALREADY_EXISTS;
      case 413 -> Status.RESOURCE_EXHAUSTED;
      case 429 -> Status.RESOURCE_EXHAUSTED;
      case 499 -> Status.CANCELLED;
      case 501 -> Status.UNIMPLEMENTED;
      case 502, 503 -> Status.UNAVAILABLE;
      case 504 -> Status.DEADLINE_EXCEEDED;
      default -> httpStatus < 400 ? Status.OK : Status.INTERNAL;
    };
  }

  /** The JSON body of an error. */
  public static byte[] json(Status status, String message) {
    return ("{\"code\":\"" + status.name() + "\",\"message\":" + quote(message) + "}")
        .getBytes(StandardCharsets.UTF_8);
  }

  /** The reply for any error: a {@link VireoException}'s status, INTERNAL for the rest. */
  public static Reply reply(Throwable error) {
    VireoException vireo = VireoException.from(error);
    if (vireo instanceof PayloadTooLarge) {
      return Reply.bytes(
              HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
              Reply.JSON,
              json(vireo.status(), vireo.getMessage()))
          .withStatusOfCall(vireo.status());
    }
    return reply(
        vireo.status(), vireo.getMessage() == null ? vireo.status().name() : vireo.getMessage());
  }

  public static Reply reply(Status status, String message) {
    return Reply.bytes(
            HttpResponseStatus.valueOf(httpStatus(status)), Reply.JSON, json(status, message))
        .withStatusOfCall(status);
  }

  /** {@code text} as a JSON string literal. */
  public static String quote(String text) {
    StringBuilder out = new StringBuilder(text.length() + 2).append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }
}
