package io.vireo;

/**
 * The status of a call, with the gRPC status vocabulary and codes on every transport.
 *
 * <p>{@link #UNAVAILABLE} is the one status a client may retry on another instance without knowing
 * anything about the call beyond that it is idempotent.
 */
public enum Status {
  OK(0),
  CANCELLED(1),
  UNKNOWN(2),
  INVALID_ARGUMENT(3),
  DEADLINE_EXCEEDED(4),
  NOT_FOUND(5),
  ALREADY_EXISTS(6),
  PERMISSION_DENIED(7),
  RESOURCE_EXHAUSTED(8),
  FAILED_PRECONDITION(9),
  ABORTED(10),
  OUT_OF_RANGE(11),
  UNIMPLEMENTED(12),
  INTERNAL(13),
  UNAVAILABLE(14),
  DATA_LOSS(15),
  UNAUTHENTICATED(16);

  private static final Status[] BY_CODE = values();

  private final int code;

  Status(int code) {
    this.code = code;
  }

  /** The numeric gRPC code. */
  public int code() {
    return code;
  }

  /** The status with this gRPC code; {@link #UNKNOWN} for a code outside 0..16. */
  public static Status of(int code) {
    return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : UNKNOWN;
  }

  /** Whether a call that ended with this status may be retried (on another instance). */
  public boolean retryable() {
    return this == UNAVAILABLE;
  }
}
