package io.vireo.transport.grpc;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Why a channel could not connect. {@code ManagedChannel} reports only TRANSIENT_FAILURE; a call
 * that does not wait for readiness fails at once with the channel's last error (refused connection,
 * TLS handshake failure such as an untrusted certificate), which names the cause.
 */
final class ConnectFailure {
  private static final MethodDescriptor<byte[], byte[]> PROBE =
      Bytes.method("vireo.transport.grpc.ConnectProbe/Probe", MethodDescriptor.MethodType.UNARY);

  private ConnectFailure() {}

  /** Calls {@code reason} once, on a gRPC thread, with the failure's description. */
  static void explain(ManagedChannel channel, Duration timeout, Consumer<String> reason) {
    ClientCall<byte[], byte[]> call =
        channel.newCall(
            PROBE,
            CallOptions.DEFAULT.withDeadlineAfter(
                Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS));
    call.start(
        new ClientCall.Listener<>() {
          @Override
          public void onClose(Status status, Metadata trailers) {
            reason.accept(
                status.getCode() == Status.Code.UNAVAILABLE
                    ? describe(status)
                    : "the connection failed, then recovered (" + status.getCode() + ")");
          }
        },
        new Metadata());
    call.halfClose();
  }

  static String describe(Status status) {
    // grpc-netty appends the channel pipeline on further lines: keep the first line of each message
    StringBuilder text =
        new StringBuilder(
            firstLine(
                status.getDescription() == null
                    ? status.getCode().name()
                    : status.getDescription()));
    Throwable cause = status.getCause();
    for (int depth = 0; cause != null && depth < 3; depth++, cause = next(cause)) {
      String message = cause.getMessage() == null ? "" : firstLine(cause.getMessage());
      if (!message.isEmpty() && text.indexOf(message) < 0) {
        text.append(": ").append(cause.getClass().getSimpleName()).append(": ").append(message);
      }
    }
    return text.toString();
  }

  private static String firstLine(String text) {
    int end = text.indexOf('\n');
    return (end < 0 ? text : text.substring(0, end)).strip();
  }

  private static @Nullable Throwable next(Throwable cause) {
    return cause.getCause() == cause ? null : cause.getCause();
  }
}
