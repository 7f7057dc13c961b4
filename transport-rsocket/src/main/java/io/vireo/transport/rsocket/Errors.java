package io.vireo.transport.rsocket;

import io.rsocket.RSocketErrorException;
import io.rsocket.exceptions.ApplicationErrorException;
import io.rsocket.exceptions.CanceledException;
import io.rsocket.exceptions.ConnectionCloseException;
import io.rsocket.exceptions.ConnectionErrorException;
import io.rsocket.exceptions.CustomRSocketException;
import io.rsocket.exceptions.RejectedException;
import io.vireo.Status;
import io.vireo.VireoException;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;

/**
 * Statuses on the wire: an ERROR frame with code {@code 0x300 + status code} and the message as its
 * text.
 */
final class Errors {
  /**
   * Added to a status code to make the ERROR frame's code (CANCELLED = 0x301 ... UNAUTHENTICATED =
   * 0x310).
   */
  static final int CODE_BASE = 0x300;

  private static final int MAX_CODE = CODE_BASE + Status.UNAUTHENTICATED.code();

  private Errors() {}

  /**
   * The ERROR frame a server sends for an error: any throwable that is not a VireoException is
   * INTERNAL.
   */
  static RSocketErrorException toWire(Throwable error) {
    VireoException vireo = VireoException.from(error);
    return new StatusException(CODE_BASE + vireo.status().code(), describe(vireo));
  }

  /** The VireoException a client signals for an error of its connection to {@code address}. */
  static VireoException fromWire(Throwable error, String address, boolean connectionClosed) {
    if (error instanceof VireoException vireo) {
      return vireo;
    }
    if (error instanceof CustomRSocketException custom) {
      int code = custom.errorCode();
      if (code > CODE_BASE && code <= MAX_CODE) {
        return new VireoException(Status.of(code - CODE_BASE), describe(error));
      }
      return new VireoException(
          Status.UNKNOWN,
          "error 0x" + Integer.toHexString(code) + " from " + address + ": " + describe(error));
    }
    if (error instanceof ApplicationErrorException) {
      return new VireoException(Status.UNKNOWN, describe(error));
    }
    if (error instanceof CanceledException) {
      return new VireoException(Status.CANCELLED, describe(error));
    }
    if (error instanceof RejectedException) {
      return new VireoException(
          Status.UNAVAILABLE, "rejected by " + address + ": " + describe(error));
    }
    if (connectionClosed
        || error instanceof ConnectionErrorException
        || error instanceof ConnectionCloseException
        || error instanceof ClosedChannelException
        || error instanceof IOException) {
      return new VireoException(
          Status.UNAVAILABLE, "connection to " + address + " closed: " + describe(error), error);
    }
    return new VireoException(Status.INTERNAL, describe(error), error);
  }

  static VireoException closed(String address) {
    return new VireoException(Status.UNAVAILABLE, "connection to " + address + " closed");
  }

  static VireoException tooLarge(String what, int size, int max) {
    return VireoException.of(
        Status.RESOURCE_EXHAUSTED,
        "%s: %d bytes (expected: <= %d, vireo.transport.max-message-size)",
        what,
        size,
        max);
  }

  static String describe(Throwable error) {
    String message = error.getMessage();
    return message == null || message.isEmpty() ? error.getClass().getName() : message;
  }

  /** An error status for the wire; without a stack trace, which never leaves the process. */
  static final class StatusException extends CustomRSocketException {
    private static final long serialVersionUID = 1L;

    StatusException(int errorCode, String message) {
      super(errorCode, message);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this;
    }
  }
}
