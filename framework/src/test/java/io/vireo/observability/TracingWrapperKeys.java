package io.vireo.observability;

import io.opentelemetry.api.common.AttributeKey;

/** The span attributes the tests look at. */
final class TracingWrapperKeys {
  static final AttributeKey<String> ROUTE = AttributeKey.stringKey("vireo.route");
  static final AttributeKey<String> STATUS = AttributeKey.stringKey("vireo.status");
  static final AttributeKey<String> RPC_METHOD = AttributeKey.stringKey("rpc.method");
  static final AttributeKey<Long> GRPC_STATUS = AttributeKey.longKey("rpc.grpc.status_code");

  private TracingWrapperKeys() {}
}
