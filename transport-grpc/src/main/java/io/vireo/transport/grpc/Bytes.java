package io.vireo.transport.grpc;

import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.vireo.Route;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Objects;

/**
 * gRPC messages as the codec's bytes: the framework encodes and decodes, the transport only frames
 * them, so one method descriptor serves every message type.
 */
final class Bytes implements MethodDescriptor.Marshaller<byte[]> {
  static final Bytes MARSHALLER = new Bytes();
  static final byte[] EMPTY = new byte[0];

  private Bytes() {}

  static MethodDescriptor<byte[], byte[]> method(
      String fullMethodName, MethodDescriptor.MethodType type) {
    return MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(type)
        .setFullMethodName(fullMethodName)
        .setRequestMarshaller(MARSHALLER)
        .setResponseMarshaller(MARSHALLER)
        .build();
  }

  static MethodDescriptor<byte[], byte[]> method(Route route, MethodDescriptor.MethodType type) {
    return method(GrpcNames.fullMethodName(route), type);
  }

  @Override
  public InputStream stream(byte[] value) {
    return new Stream(value);
  }

  @Override
  public byte[] parse(InputStream stream) {
    try {
      if (stream instanceof KnownLength) {
        // gRPC's own streams know their length: one exact array, no 8 KiB scratch buffers
        byte[] message = new byte[stream.available()];
        int read = 0;
        while (read < message.length) {
          int n = stream.read(message, read, message.length - read);
          if (n < 0) {
            throw new IOException(
                "message ended after " + read + " of " + message.length + " bytes");
          }
          read += n;
        }
        int next = stream.read();
        if (next < 0) {
          return message;
        }
        // more than it said: append the byte just read and whatever is left
        byte[] rest = stream.readAllBytes();
        byte[] whole = Arrays.copyOf(message, message.length + 1 + rest.length);
        whole[message.length] = (byte) next;
        System.arraycopy(rest, 0, whole, message.length + 1, rest.length);
        return whole;
      }
      return stream.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("reading a gRPC message", e);
    }
  }

  /**
   * A message for gRPC's framer: {@link KnownLength} sizes its frame without reading it, and {@link
   * Drainable} hands the array to the framer's output in one write (without it, the framer copies
   * through an 8 KiB scratch array allocated per message). Unsynchronized, unlike a
   * ByteArrayInputStream: gRPC reads it on one thread.
   */
  private static final class Stream extends InputStream implements KnownLength, Drainable {
    private final byte[] bytes;
    private int position;

    Stream(byte[] bytes) {
      this.bytes = bytes;
    }

    @Override
    public int drainTo(OutputStream target) throws IOException {
      int length = bytes.length - position;
      target.write(bytes, position, length);
      position = bytes.length;
      return length;
    }

    @Override
    public int available() {
      return bytes.length - position;
    }

    @Override
    public int read() {
      return position < bytes.length ? bytes[position++] & 0xff : -1;
    }

    @Override
    public int read(byte[] target, int offset, int length) {
      Objects.checkFromIndexSize(offset, length, target.length);
      if (length == 0) {
        return 0;
      }
      int left = bytes.length - position;
      if (left == 0) {
        return -1;
      }
      int n = Math.min(length, left);
      System.arraycopy(bytes, position, target, offset, n);
      position += n;
      return n;
    }

    @Override
    public long skip(long n) {
      long skipped = Math.max(0, Math.min(n, bytes.length - position));
      position += (int) skipped;
      return skipped;
    }
  }
}
