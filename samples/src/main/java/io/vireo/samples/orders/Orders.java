package io.vireo.samples.orders;

import io.vireo.RpcService;
import io.vireo.samples.orders.proto.OrderAccepted;
import io.vireo.samples.orders.proto.PlaceOrderRequest;
import reactor.core.publisher.Mono;

/** The order service of orders.proto. Not {@code @Idempotent}: a retried PlaceOrder could place twice. */
@RpcService("vireo.samples.orders.Orders")
public interface Orders {
  Mono<OrderAccepted> placeOrder(PlaceOrderRequest request);
}
