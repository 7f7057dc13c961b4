/**
 * The {@code grpc} transport: standard gRPC over HTTP/2 through grpc-java and Netty, so that stock
 * gRPC clients call Vireo services and Vireo clients call stock gRPC servers. Start with {@link
 * io.vireo.transport.grpc.GrpcTransport}.
 */
@NullMarked
package io.vireo.transport.grpc;

import org.jspecify.annotations.NullMarked;
