package io.vireo.samples;

import io.vireo.Service;
import io.vireo.config.Config;
import io.vireo.registry.ServiceInstance;
import io.vireo.samples.devenv.DevEnv;
import io.vireo.samples.greeter.GreeterImpl;
import io.vireo.samples.greeter.proto.Greeter;
import io.vireo.samples.greeter.proto.GreeterClient;
import io.vireo.samples.greeter.proto.HelloReply;
import io.vireo.samples.greeter.proto.HelloRequest;
import io.vireo.samples.greeter.proto.UserGreeted;
import io.vireo.samples.orders.OrderFlow;
import io.vireo.samples.orders.proto.OrderAccepted;
import io.vireo.samples.orders.proto.Orders;
import io.vireo.samples.orders.proto.OrdersClient;
import io.vireo.samples.orders.proto.PlaceOrderRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The samples, one command each: {@code java [-Dvireo.key=value...] -jar vireo-samples.jar
 * <command>}. Every setting is a {@code vireo.*} key (or its {@code VIREO_*} environment variable).
 *
 * <ul>
 *   <li>{@code greeter}: serves the greeter (registered as {@code greeter}) until stopped; each
 *       reply names the instance that answered;
 *   <li>{@code client [--loop N]}: calls all four kinds on whatever greeters the registry offers,
 *       then N more SayHello ({@code vireo.samples.client.loop}, default 4, one each {@code
 *       vireo.samples.client.interval}), then places {@code vireo.samples.client.orders} orders
 *       (default 0); prints which instance answered each;
 *   <li>{@code orders}, {@code inventory}, {@code notifier}: the orders flow ({@link OrderFlow});
 *   <li>{@code dev-env}: a real ZooKeeper and Kafka as child processes ({@link DevEnv}) until
 *       stopped;
 *   <li>{@code demo}: greeter, client and an event in one JVM, on the embedded default.
 * </ul>
 *
 * With {@code vireo.samples.ready-file} set, a long-running command writes that file once it serves
 * (the run script and Docker's health checks wait for it).
 */
public final class Main {
  static final Duration WAIT = Duration.ofSeconds(10);
  static final String COMMANDS = "greeter, client, orders, inventory, notifier, dev-env or demo";
  static final String READY_FILE = "vireo.samples.ready-file";
  static final String CLIENT_LOOP = "vireo.samples.client.loop";
  static final String CLIENT_INTERVAL = "vireo.samples.client.interval";
  static final String CLIENT_ORDERS = "vireo.samples.client.orders";
  static final int DEFAULT_CLIENT_LOOP = 4;
  static final List<String> ITEMS = List.of("book", "lamp", "pen");
  private static final Pattern FROM = Pattern.compile("\\(from ([^)]+)\\)");

  private Main() {}

  public static void main(String[] args) throws Exception {
    String command = args.length == 0 ? "demo" : args[0];
    Config config = Config.builder().build();
    switch (command) {
      case "greeter":
        serve(greeter(), config, "");
        break;
      case "client":
        if (!client(config, args)) {
          System.exit(1);
        }
        break;
      case "orders":
        serve(OrderFlow.orders(System.out), config, "");
        break;
      case "inventory":
        String inventory = "inventory-" + UUID.randomUUID().toString().substring(0, 8);
        serve(
            OrderFlow.inventory(inventory, System.out),
            config,
            inventory + " subscribed to " + OrderFlow.ORDER_PLACED);
        break;
      case "notifier":
        serve(
            OrderFlow.notifier(System.out),
            config,
            "notifier subscribed to "
                + OrderFlow.ORDER_PLACED
                + " and "
                + OrderFlow.STOCK_RESERVED);
        break;
      case "dev-env":
        devEnv(config);
        break;
      case "demo":
        demo();
        break;
      default:
        System.err.println("unknown command '" + command + "' (expected: " + COMMANDS + ")");
        System.exit(2);
    }
  }

  static Service greeter() {
    AtomicReference<Service> self = new AtomicReference<>();
    Service service =
        Service.builder("greeter")
            .version("1.0.0")
            .handle(
                Greeter.class,
                new GreeterImpl(
                    () -> self.get().instance().map(ServiceInstance::id).orElse("greeter")))
            .build();
    self.set(service);
    return service;
  }

  /**
   * Starts, says so (and writes the ready file), then serves until SIGTERM or Ctrl-C stop it
   * gracefully.
   */
  static void serve(Service service, Config config, String subscribed)
      throws IOException, InterruptedException {
    service.start();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  service.stop();
                  stopped.countDown();
                },
                service.name() + "-shutdown"));
    String where =
        service
            .instance()
            .map(i -> i.id() + " serving " + i.service() + " on " + i.address())
            .orElse(subscribed);
    ready(config, where);
    stopped.await();
  }

  static void devEnv(Config config) throws IOException, InterruptedException {
    DevEnv env = DevEnv.of(config, System.out);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  env.stop();
                  System.out.println("dev-env: stopped");
                  stopped.countDown();
                },
                "dev-env-shutdown"));
    env.start();
    CompletableFuture<String> exited = env.exited();
    StringBuilder settings = new StringBuilder();
    env.serviceEnvironment().entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> settings.append(' ').append(e.getKey()).append('=').append(e.getValue()));
    System.out.println("dev-env: services reach it with" + settings);
    if (!exited.isDone()) {
      ready(
          config,
          "dev-env ready: ZooKeeper "
              + env.zookeeperConnect()
              + ", Kafka "
              + env.kafkaBootstrapServers()
              + " (Ctrl-C stops both)");
    }
    // a child that dies is no longer ready: say so, take the ready file back, stop the other, exit
    // 1
    exited.thenAccept(
        what ->
            new Thread(
                    () -> {
                      System.out.println("dev-env: " + what);
                      System.out.println("dev-env: not ready any more; stopping");
                      config.get(READY_FILE).ifPresent(file -> Path.of(file).toFile().delete());
                      System.exit(1); // the shutdown hook stops the other child
                    },
                    "dev-env-exit")
                .start());
    stopped.await();
  }

  private static void ready(Config config, String line) throws IOException {
    System.out.println(line);
    var file = config.get(READY_FILE);
    if (file.isPresent()) {
      Path path = Path.of(file.get());
      Path temporary = path.resolveSibling(path.getFileName() + ".tmp");
      Files.writeString(temporary, line + "\n", StandardCharsets.UTF_8);
      Files.move(temporary, path, StandardCopyOption.ATOMIC_MOVE);
    }
  }

  /** Returns whether every call succeeded. */
  static boolean client(Config config, String[] args) throws InterruptedException {
    int loop = config.getInt(CLIENT_LOOP, DEFAULT_CLIENT_LOOP);
    for (int i = 1; i < args.length; i++) {
      if (args[i].equals("--loop") && i + 1 < args.length) {
        loop = Integer.parseInt(args[++i]);
      } else {
        throw new IllegalArgumentException(
            "client: unknown argument '" + args[i] + "' (expected: --loop N)");
      }
    }
    if (loop < 0) {
      throw new IllegalArgumentException(CLIENT_LOOP + ": " + loop + " (expected: >= 0)");
    }
    Duration interval = config.getDuration(CLIENT_INTERVAL, Duration.ZERO);
    int orders = config.getInt(CLIENT_ORDERS, 0);
    if (orders < 0) {
      throw new IllegalArgumentException(CLIENT_ORDERS + ": " + orders + " (expected: >= 0)");
    }
    Service client = Service.builder("greeter-client").build().start();
    Set<String> answered = new TreeSet<>();
    boolean ok = true;
    try {
      Greeter greeter = GreeterClient.of(client);
      try {
        answered.addAll(instances(callAll(greeter)));
      } catch (RuntimeException e) {
        System.out.println("greeter calls failed: " + e);
        ok = false;
      }
      for (int i = 1; i <= loop; i++) {
        try {
          String reply = greeter.sayHello(request("Ada")).map(HelloReply::getMessage).block(WAIT);
          System.out.println("SayHello " + i + "/" + loop + ": " + reply);
          answered.addAll(instances(String.valueOf(reply)));
        } catch (RuntimeException e) {
          System.out.println("SayHello " + i + "/" + loop + " failed: " + e.getMessage());
          ok = false;
        }
        if (!interval.isZero() && i < loop) {
          TimeUnit.MILLISECONDS.sleep(interval.toMillis());
        }
      }
      System.out.println("greeter instances that answered: " + answered);
      if (orders > 0) {
        ok &= placeOrders(OrdersClient.of(client), orders);
      }
    } finally {
      client.stop();
    }
    return ok;
  }

  private static boolean placeOrders(Orders orders, int count) {
    boolean ok = true;
    for (int i = 1; i <= count; i++) {
      PlaceOrderRequest order =
          PlaceOrderRequest.newBuilder()
              .setOrderId("order-" + i)
              .setItem(ITEMS.get((i - 1) % ITEMS.size()))
              .setQuantity(i)
              .build();
      try {
        OrderAccepted accepted = orders.placeOrder(order).block(WAIT);
        System.out.println(
            "PlaceOrder "
                + order.getOrderId()
                + " ("
                + order.getQuantity()
                + " x "
                + order.getItem()
                + "): accepted by "
                + (accepted == null ? "?" : accepted.getAcceptedBy()));
      } catch (RuntimeException e) {
        System.out.println("PlaceOrder " + order.getOrderId() + " failed: " + e.getMessage());
        ok = false;
      }
    }
    return ok;
  }

  static void demo() throws Exception {
    CompletableFuture<String> received = new CompletableFuture<>();
    Service greeter = greeter().start();
    Service audit =
        Service.builder("audit")
            .subscribe(
                "user.greeted",
                UserGreeted.class,
                event -> Mono.fromRunnable(() -> received.complete(event.getName())))
            .build()
            .start();
    Service client = Service.builder("greeter-client").build().start();
    try {
      callAll(GreeterClient.of(client));
      client.publish("user.greeted", UserGreeted.newBuilder().setName("Ada").build()).block(WAIT);
      System.out.println(
          "event user.greeted received: " + received.get(WAIT.toSeconds(), TimeUnit.SECONDS));
    } finally {
      client.stop();
      audit.stop();
      greeter.stop();
    }
  }

  /** The four call kinds; returns what was printed, so that callers can see who answered. */
  static String callAll(Greeter greeter) {
    HelloRequest ada = request("Ada");
    StringBuilder printed = new StringBuilder();
    printed.append(
        print("SayHello: " + greeter.sayHello(ada).map(HelloReply::getMessage).block(WAIT)));
    printed.append(
        print(
            "LotsOfReplies: "
                + greeter
                    .lotsOfReplies(ada)
                    .map(HelloReply::getMessage)
                    .collectList()
                    .block(WAIT)));
    printed.append(
        print(
            "LotsOfGreetings: "
                + greeter
                    .lotsOfGreetings(Flux.just(request("Ada"), request("Grace"), request("Linus")))
                    .map(HelloReply::getMessage)
                    .block(WAIT)));
    List<String> bidi =
        greeter
            .bidiHello(Flux.just(request("Ada"), request("Grace")))
            .map(HelloReply::getMessage)
            .collectList()
            .block(WAIT);
    printed.append(print("BidiHello: " + bidi));
    return printed.toString();
  }

  private static String print(String line) {
    System.out.println(line);
    return line + "\n";
  }

  static Set<String> instances(String text) {
    Set<String> found = new TreeSet<>();
    Matcher matcher = FROM.matcher(text);
    while (matcher.find()) {
      found.add(matcher.group(1));
    }
    return found;
  }

  static HelloRequest request(String name) {
    return HelloRequest.newBuilder().setName(name).build();
  }
}
