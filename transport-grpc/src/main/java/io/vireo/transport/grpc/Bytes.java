package io.vireo.transport.grpc;

import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.vireo.Route;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * gRPC messages as the codec's bytes: the framework encodes and decodes, the transport only
 * frames them, so one method descriptor serves every message type.
 */
final class Bytes implements MethodDescriptor.Marshaller<byte[]> {
  static final Bytes MARSHALLER = new Bytes();
  static final byte[] EMPTY = new byte[0];

  private Bytes() {}

  static MethodDescriptor<byte[], byte[]> method(String fullMethodName, MethodDescriptor.MethodType type) {
    return MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(type)
        .setFullMethodName(fullMethodName)
        .setRequestMarshaller(MARSHALLER)
        .setResponseMarshaller(MARSHALLER)
        .build();
  }

  static MethodDescriptor<byte[], byte[]> method(Route route, MethodDescriptor.MethodType type) {
    return method(route.grpcName(), type);
  }

  @Override
  public InputStream stream(byte[] value) {
    return new Stream(value);
  }

  @Override
  public byte[] parse(InputStream stream) {
    try {
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
