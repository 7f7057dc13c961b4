package io.vireo.samples.orders;

import io.vireo.Service;
import io.vireo.samples.orders.proto.OrderAccepted;
import io.vireo.samples.orders.proto.OrderPlaced;
import io.vireo.samples.orders.proto.Orders;
import io.vireo.samples.orders.proto.StockReserved;
import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import reactor.core.publisher.Mono;

/**
 * The three services of the orders flow. Each prints what it does on {@code out}, one line an
 * event, so that a run shows the whole flow.
 */
public final class OrderFlow {
  public static final String ORDER_PLACED = "order.placed";
  public static final String STOCK_RESERVED = "stock.reserved";

  /** What each inventory instance starts with, per item. */
  public static final int INITIAL_STOCK = 100;

  private OrderFlow() {}

  /**
   * {@code orders}: serves PlaceOrder; each accepted order is published on {@code order.placed}.
   */
  public static Service orders(PrintStream out) {
    AtomicReference<Service> self = new AtomicReference<>();
    Supplier<String> instance = () -> instanceId(self.get());
    Orders impl =
        request -> {
          if (request.getQuantity() <= 0) {
            return Mono.error(
                new IllegalArgumentException(
                    "quantity: " + request.getQuantity() + " (expected: > 0)"));
          }
          OrderPlaced placed =
              OrderPlaced.newBuilder()
                  .setOrderId(request.getOrderId())
                  .setItem(request.getItem())
                  .setQuantity(request.getQuantity())
                  .setPlacedBy(instance.get())
                  .build();
          return self.get()
              .publish(ORDER_PLACED, request.getOrderId(), placed)
              .then(
                  Mono.fromCallable(
                      () -> {
                        out.println(
                            instance.get()
                                + ": order "
                                + request.getOrderId()
                                + " placed ("
                                + request.getQuantity()
                                + " x "
                                + request.getItem()
                                + "), published "
                                + ORDER_PLACED);
                        return OrderAccepted.newBuilder()
                            .setOrderId(request.getOrderId())
                            .setAcceptedBy(instance.get())
                            .build();
                      }));
        };
    Service service = Service.builder("orders").version("1.0.0").handle(Orders.class, impl).build();
    self.set(service);
    return service;
  }

  /**
   * {@code inventory}: in queue group {@code inventory} (the default: the service name), so the
   * instances share {@code order.placed}; reserves from its own stock and publishes {@code
   * stock.reserved}.
   */
  public static Service inventory(String instance, PrintStream out) {
    Map<String, Integer> stock = new ConcurrentHashMap<>();
    AtomicReference<Service> self = new AtomicReference<>();
    Service service =
        Service.builder("inventory")
            .version("1.0.0")
            .subscribe(
                ORDER_PLACED,
                OrderPlaced.class,
                placed -> {
                  int left =
                      stock.merge(
                          placed.getItem(),
                          INITIAL_STOCK - placed.getQuantity(),
                          (was, none) -> was - placed.getQuantity());
                  StockReserved reserved =
                      StockReserved.newBuilder()
                          .setOrderId(placed.getOrderId())
                          .setItem(placed.getItem())
                          .setQuantity(placed.getQuantity())
                          .setLeft(left)
                          .setReservedBy(instance)
                          .build();
                  return self.get()
                      .publish(STOCK_RESERVED, placed.getOrderId(), reserved)
                      .then(
                          Mono.fromRunnable(
                              () ->
                                  out.println(
                                      instance
                                          + ": reserved "
                                          + placed.getQuantity()
                                          + " x "
                                          + placed.getItem()
                                          + " for order "
                                          + placed.getOrderId()
                                          + " ("
                                          + left
                                          + " left), published "
                                          + STOCK_RESERVED)));
                })
            .build();
    self.set(service);
    return service;
  }

  /**
   * {@code notifier}: hears both topics in its own group, so it gets every event inventory gets
   * too.
   */
  public static Service notifier(PrintStream out) {
    return Service.builder("notifier")
        .version("1.0.0")
        .subscribe(
            ORDER_PLACED,
            OrderPlaced.class,
            placed ->
                Mono.fromRunnable(
                    () ->
                        out.println(
                            "notifier: order "
                                + placed.getOrderId()
                                + " placed ("
                                + placed.getQuantity()
                                + " x "
                                + placed.getItem()
                                + ", by "
                                + placed.getPlacedBy()
                                + ")")))
        .subscribe(
            STOCK_RESERVED,
            StockReserved.class,
            reserved ->
                Mono.fromRunnable(
                    () ->
                        out.println(
                            "notifier: stock reserved for order "
                                + reserved.getOrderId()
                                + " by "
                                + reserved.getReservedBy()
                                + " ("
                                + reserved.getLeft()
                                + " "
                                + reserved.getItem()
                                + " left there)")))
        .build();
  }

  private static String instanceId(Service service) {
    return service.instance().map(i -> i.id()).orElse(service.name());
  }
}
