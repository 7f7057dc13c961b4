package io.vireo.transport.rsocket;

import io.rsocket.ConnectionSetupPayload;
import io.rsocket.RSocket;
import io.rsocket.SocketAcceptor;
import io.rsocket.exceptions.RejectedSetupException;
import io.vireo.transport.Dispatcher;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/** Accepts a connection's SETUP, gives it a {@link Responder}, and remembers it until it closes. */
final class ServerAcceptor implements SocketAcceptor {
  private static final Logger logger = LoggerFactory.getLogger(ServerAcceptor.class);

  private final Dispatcher dispatcher;
  private final Settings settings;
  private final Set<RSocket> connections = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  ServerAcceptor(Dispatcher dispatcher, Settings settings) {
    this.dispatcher = dispatcher;
    this.settings = settings;
  }

  @Override
  public Mono<RSocket> accept(ConnectionSetupPayload setup, RSocket peer) {
    String metadataMimeType = setup.metadataMimeType();
    if (!WireMetadata.COMPOSITE_MIME_TYPE.equals(metadataMimeType)) {
      return Mono.error(
          new RejectedSetupException(
              "metadata mime type: "
                  + metadataMimeType
                  + " (expected: "
                  + WireMetadata.COMPOSITE_MIME_TYPE
                  + ")"));
    }
    if (closed) {
      return Mono.error(new RejectedSetupException("server is closed"));
    }
    String dataMimeType = setup.dataMimeType();
    // disposing the server's requester of this connection closes the connection
    Responder responder = new Responder(dispatcher, dataMimeType, settings, peer::dispose);
    connections.add(peer);
    peer.onClose().subscribe(null, error -> closed(peer, responder), () -> closed(peer, responder));
    responder.start();
    logger.debug("connection set up, data mime type {}", dataMimeType);
    return Mono.just(responder);
  }

  private void closed(RSocket peer, Responder responder) {
    connections.remove(peer);
    responder.stopIdleTimer();
  }

  /** Closes every connection set up so far, and refuses later ones. */
  void closeConnections() {
    closed = true;
    for (RSocket connection : connections) {
      connection.dispose();
    }
    connections.clear();
  }
}
