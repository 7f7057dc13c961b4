package io.vireo.benchmarks;

import com.google.protobuf.InvalidProtocolBufferException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.rsocket.RSocket;
import io.rsocket.SocketAcceptor;
import io.rsocket.core.RSocketConnector;
import io.rsocket.core.RSocketServer;
import io.rsocket.frame.decoder.PayloadDecoder;
import io.rsocket.metadata.CompositeMetadata;
import io.rsocket.metadata.CompositeMetadataCodec;
import io.rsocket.metadata.RoutingMetadata;
import io.rsocket.metadata.TaggingMetadataCodec;
import io.rsocket.metadata.WellKnownMimeType;
import io.rsocket.transport.netty.client.TcpClientTransport;
import io.rsocket.transport.netty.server.CloseableChannel;
import io.rsocket.transport.netty.server.TcpServerTransport;
import io.rsocket.util.ByteBufPayload;
import io.vireo.benchmarks.proto.Payload;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Plain rsocket-java, server and client, speaking Vireo's wire conventions (composite metadata with
 * a routing entry; a channel's first payload is a head with empty data) and the same protobuf
 * payload: the baseline for Vireo over RSocket. Written the way a careful user of the library
 * would: zero-copy decoding, route metadata encoded once per route.
 */
final class RawRSocket {
  private static final String COMPOSITE =
      WellKnownMimeType.MESSAGE_RSOCKET_COMPOSITE_METADATA.getString();
  private static final String ROUTING = WellKnownMimeType.MESSAGE_RSOCKET_ROUTING.getString();
  private static final String PROTOBUF = "application/x-protobuf";

  private RawRSocket() {}

  static CloseableChannel serve(int port) {
    return RSocketServer.create(SocketAcceptor.with(new Responder()))
        .payloadDecoder(PayloadDecoder.ZERO_COPY)
        .bind(TcpServerTransport.create("127.0.0.1", port))
        .block();
  }

  static Target connect(int port) {
    RSocket rsocket =
        RSocketConnector.create()
            .metadataMimeType(COMPOSITE)
            .dataMimeType(PROTOBUF)
            .payloadDecoder(PayloadDecoder.ZERO_COPY)
            .connect(TcpClientTransport.create("127.0.0.1", port))
            .block();
    return new Client(rsocket);
  }

  static Payload parse(io.rsocket.Payload payload) {
    try {
      return Payload.parseFrom(payload.getData());
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException(e);
    } finally {
      payload.release();
    }
  }

  static io.rsocket.Payload data(Payload message) {
    return ByteBufPayload.create(Unpooled.wrappedBuffer(message.toByteArray()));
  }

  private static String route(io.rsocket.Payload payload) {
    for (CompositeMetadata.Entry entry : new CompositeMetadata(payload.metadata(), false)) {
      if (ROUTING.equals(entry.getMimeType())) {
        return new RoutingMetadata(entry.getContent()).iterator().next();
      }
    }
    return "";
  }

  private static final class Responder implements RSocket {
    private final LongAdder fired = new LongAdder();

    @Override
    public Mono<io.rsocket.Payload> requestResponse(io.rsocket.Payload payload) {
      route(payload);
      Payload request = parse(payload);
      return Mono.just(
          data(
              request.getCount() == Payloads.FIRE_COUNT_QUERY
                  ? Payloads.fireCount(fired)
                  : request));
    }

    @Override
    public Mono<Void> fireAndForget(io.rsocket.Payload payload) {
      route(payload);
      parse(payload);
      fired.increment();
      return Mono.empty();
    }

    @Override
    public Flux<io.rsocket.Payload> requestStream(io.rsocket.Payload payload) {
      route(payload);
      Payload request = parse(payload);
      return Flux.range(0, (int) request.getCount())
          .map(i -> data(Payloads.streamItem(request, i)));
    }

    @Override
    public Flux<io.rsocket.Payload> requestChannel(Publisher<io.rsocket.Payload> payloads) {
      return Flux.from(payloads)
          .switchOnFirst(
              (first, all) -> {
                io.rsocket.Payload head = first.get();
                if (head == null) {
                  return all.map(RawRSocket::parse).map(RawRSocket::data);
                }
                String route = route(head);
                head.release();
                Flux<Payload> messages = all.skip(1).map(RawRSocket::parse);
                return route.equals(Payloads.CLIENT_STREAM)
                    ? messages.count().map(n -> data(Payloads.request(n))).flux()
                    : messages.map(RawRSocket::data);
              });
    }
  }

  private static final class Client implements Target {
    private final RSocket rsocket;
    private final byte[] unary = routeMetadata(Payloads.UNARY);
    private final byte[] serverStream = routeMetadata(Payloads.SERVER_STREAM);
    private final byte[] clientStream = routeMetadata(Payloads.CLIENT_STREAM);
    private final byte[] bidi = routeMetadata(Payloads.BIDI);
    private final byte[] fire = routeMetadata(Payloads.FIRE);

    Client(RSocket rsocket) {
      this.rsocket = rsocket;
    }

    private static byte[] routeMetadata(String route) {
      ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
      CompositeByteBuf metadata = alloc.compositeBuffer();
      CompositeMetadataCodec.encodeAndAddMetadata(
          metadata,
          alloc,
          WellKnownMimeType.MESSAGE_RSOCKET_ROUTING,
          TaggingMetadataCodec.createTaggingContent(alloc, List.of(route)));
      byte[] bytes = ByteBufUtil.getBytes(metadata);
      metadata.release();
      return bytes;
    }

    private static io.rsocket.Payload request(Payload message, byte[] metadata) {
      return ByteBufPayload.create(
          Unpooled.wrappedBuffer(message.toByteArray()), Unpooled.wrappedBuffer(metadata));
    }

    private Flux<io.rsocket.Payload> channel(byte[] metadata, int n) {
      ByteBuf empty = Unpooled.EMPTY_BUFFER;
      return Flux.range(0, n + 1)
          .map(
              i ->
                  i == 0
                      ? ByteBufPayload.create(empty, Unpooled.wrappedBuffer(metadata))
                      : data(Payloads.REQUEST));
    }

    private static void subscribe(Flux<io.rsocket.Payload> responses, Sink sink) {
      responses.subscribe(p -> sink.message(parse(p)), sink::complete, () -> sink.complete(null));
    }

    @Override
    public void unary(Payload request, Sink sink) {
      rsocket
          .requestResponse(request(request, unary))
          .subscribe(p -> sink.message(parse(p)), sink::complete, () -> sink.complete(null));
    }

    @Override
    public void serverStream(Payload request, Sink sink) {
      subscribe(rsocket.requestStream(request(request, serverStream)), sink);
    }

    @Override
    public void clientStream(int n, Sink sink) {
      subscribe(rsocket.requestChannel(channel(clientStream, n)), sink);
    }

    @Override
    public void bidi(int n, Sink sink) {
      subscribe(rsocket.requestChannel(channel(bidi, n)), sink);
    }

    @Override
    public boolean firesAndForgets() {
      return true;
    }

    @Override
    public void fire(Payload request) {
      rsocket.fireAndForget(request(request, fire)).subscribe();
    }

    @Override
    public void close() {
      rsocket.dispose();
    }
  }
}
