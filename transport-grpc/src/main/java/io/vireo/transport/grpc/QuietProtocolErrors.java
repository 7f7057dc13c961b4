package io.vireo.transport.grpc;

import io.netty.handler.codec.http2.Http2Exception;
import java.util.logging.Filter;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;

/**
 * grpc-java logs every connection that ends with an error as "Transport failed" at INFO, with its
 * stack trace, through java.util.logging: one bad peer, one trace. For HTTP/2 protocol errors (what
 * a malformed connection causes) this filter moves the record to DEBUG on this class's SLF4J
 * logger; {@link RefusedTransports} counts those connections and logs them within limits. Every
 * other record (I/O errors of good connections, anything else) is left as it was.
 */
final class QuietProtocolErrors implements Filter {
  /**
   * grpc-java's logger of failed connections; held here, since java.util.logging keeps loggers
   * weakly.
   */
  private static final Logger CONNECTIONS =
      Logger.getLogger("io.grpc.netty.NettyServerTransport.connections");

  private static final org.slf4j.Logger log = LoggerFactory.getLogger(QuietProtocolErrors.class);

  private final @Nullable Filter next;

  private QuietProtocolErrors(@Nullable Filter next) {
    this.next = next;
  }

  /** Installs the filter once per JVM, in front of any filter already there. */
  static synchronized void install() {
    Filter current = CONNECTIONS.getFilter();
    if (!(current instanceof QuietProtocolErrors)) {
      CONNECTIONS.setFilter(new QuietProtocolErrors(current));
    }
  }

  @Override
  public boolean isLoggable(LogRecord record) {
    if (protocolError(record.getThrown())) {
      log.debug("gRPC connection failed: {}", record.getMessage(), record.getThrown());
      return false;
    }
    return next == null || next.isLoggable(record);
  }

  private static boolean protocolError(@Nullable Throwable thrown) {
    for (Throwable cause = thrown;
        cause != null;
        cause = cause.getCause() == cause ? null : cause.getCause()) {
      if (cause instanceof Http2Exception) {
        return true;
      }
    }
    return false;
  }
}
