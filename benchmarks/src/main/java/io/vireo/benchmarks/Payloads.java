package io.vireo.benchmarks;

import com.google.protobuf.ByteString;
import io.vireo.benchmarks.proto.Payload;
import java.util.concurrent.atomic.LongAdder;

/**
 * The one payload every run sends, and the server-side behaviour every Echo implementation shares.
 */
final class Payloads {
  static final String SERVICE = "vireo.bench.Echo";
  static final String UNARY = SERVICE + ".Unary";
  static final String SERVER_STREAM = SERVICE + ".ServerStream";
  static final String CLIENT_STREAM = SERVICE + ".ClientStream";
  static final String BIDI = SERVICE + ".Bidi";
  static final String FIRE = SERVICE + ".Fire";

  /** A unary request with this count asks how many fire-and-forget messages arrived. */
  static final long FIRE_COUNT_QUERY = -1;

  private static final ByteString BODY = ByteString.copyFrom(new byte[90]);
  static final Payload REQUEST =
      Payload.newBuilder().setId(123_456_789L).setCount(1).setBody(BODY).build();

  private Payloads() {}

  static Payload request(long count) {
    return Payload.newBuilder(REQUEST).setCount(count).build();
  }

  static Payload fireCount(LongAdder fired) {
    return Payload.newBuilder().setCount(fired.sum()).build();
  }

  /** Each message of a server stream: the request's body with a sequence number. */
  static Payload streamItem(Payload request, long i) {
    return Payload.newBuilder().setId(i).setBody(request.getBody()).build();
  }
}
