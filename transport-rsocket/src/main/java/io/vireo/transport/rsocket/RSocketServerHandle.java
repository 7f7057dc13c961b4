package io.vireo.transport.rsocket;

import io.rsocket.transport.netty.server.CloseableChannel;
import io.vireo.transport.Server;
import java.net.InetSocketAddress;
import reactor.core.publisher.Mono;

/** A bound RSocket server: disposing it closes the listening socket and every connection. */
final class RSocketServerHandle implements Server {
  private final CloseableChannel channel;
  private final ServerAcceptor acceptor;

  RSocketServerHandle(CloseableChannel channel, ServerAcceptor acceptor) {
    this.channel = channel;
    this.acceptor = acceptor;
  }

  @Override
  public InetSocketAddress address() {
    return channel.address();
  }

  @Override
  public Mono<Void> onClose() {
    return channel.onClose();
  }

  @Override
  public void dispose() {
    channel.dispose();
    acceptor.closeConnections();
  }

  @Override
  public boolean isDisposed() {
    return channel.isDisposed();
  }

  @Override
  public String toString() {
    return "RSocketServer{" + address() + "}";
  }
}
