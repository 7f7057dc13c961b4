package io.vireo.transport.grpc;

import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.vireo.Route;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;

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

  /** Lets gRPC size the message without copying it first. */
  private static final class Stream extends ByteArrayInputStream implements KnownLength {
    Stream(byte[] value) {
      super(value);
    }
  }
}
