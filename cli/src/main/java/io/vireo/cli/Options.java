package io.vireo.cli;

import io.vireo.config.Values;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * Where the command looks, shared by every command: the registry (or one address), the transport,
 * the broker, TLS and a bearer token. Each option is a {@code vireo.*} key, so {@code -D}, the
 * environment and {@code vireo.yaml} work too.
 */
final class Options {
  /** The output formats. */
  enum Format {
    json,
    table
  }

  @Option(
      names = "--registry",
      paramLabel = "NAME",
      description = "Registry plugin: memory, zookeeper, etcd (vireo.registry).")
  @Nullable String registry;

  @Option(
      names = {"--zookeeper", "--zk"},
      paramLabel = "HOST:PORT",
      description =
          "ZooKeeper connect string; implies --registry zookeeper (vireo.registry.zookeeper.connect).")
  @Nullable String zookeeper;

  @Option(
      names = "--etcd",
      paramLabel = "URLS",
      description = "etcd endpoints; implies --registry etcd (vireo.registry.etcd.endpoints).")
  @Nullable String etcd;

  @Option(
      names = "--address",
      paramLabel = "HOST:PORT",
      description = "Call this one instance instead of looking in a registry.")
  @Nullable String address;

  @Option(
      names = "--transport",
      paramLabel = "NAME",
      description = "Transport: rsocket or grpc (vireo.transport); with --address, the instance's.")
  @Nullable String transport;

  @Option(
      names = "--broker",
      paramLabel = "NAME",
      description = "Broker plugin: memory, kafka (vireo.broker).")
  @Nullable String broker;

  @Option(
      names = "--kafka",
      paramLabel = "HOST:PORT",
      description = "Kafka bootstrap servers; implies --broker kafka.")
  @Nullable String kafka;

  @Option(
      names = "--token",
      paramLabel = "TOKEN",
      description = "Bearer token sent with every call (vireo.client.auth.token).")
  @Nullable String token;

  @Option(names = "--tls", description = "Use TLS to the services (vireo.client.tls.enabled).")
  boolean tls;

  @Option(
      names = "--tls-ca",
      paramLabel = "FILE",
      description = "PEM certificates to trust; implies --tls (vireo.client.tls.trust-certs).")
  @Nullable String tlsCa;

  @Option(
      names = "--tls-cert",
      paramLabel = "FILE",
      description = "PEM client certificate chain, for mutual TLS (vireo.client.tls.cert-chain).")
  @Nullable String tlsCert;

  @Option(
      names = "--tls-key",
      paramLabel = "FILE",
      description = "PEM PKCS#8 client key, for mutual TLS (vireo.client.tls.private-key).")
  @Nullable String tlsKey;

  @Option(names = "-D", paramLabel = "KEY=VALUE", description = "Any vireo.* setting.")
  Map<String, String> settings = new LinkedHashMap<>();

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      defaultValue = "json",
      description = "json (default: one JSON document per line, for jq) or table.")
  Format output = Format.json;

  @Option(
      names = "--registry-timeout",
      paramLabel = "DURATION",
      defaultValue = "10s",
      description = "How long to wait for the registry (default: ${DEFAULT-VALUE}).",
      converter = Durations.class)
  Duration registryTimeout = Duration.ofSeconds(10);

  /** The settings these options stand for, above every other configuration layer. */
  Map<String, String> vireoSettings() {
    Map<String, String> keys = new LinkedHashMap<>();
    put(keys, "vireo.registry", registry);
    if (zookeeper != null) {
      keys.putIfAbsent("vireo.registry", "zookeeper");
      keys.put("vireo.registry.zookeeper.connect", zookeeper);
    }
    if (etcd != null) {
      keys.putIfAbsent("vireo.registry", "etcd");
      keys.put("vireo.registry.etcd.endpoints", etcd);
    }
    put(keys, "vireo.transport", transport);
    put(keys, "vireo.broker", broker);
    if (kafka != null) {
      keys.putIfAbsent("vireo.broker", "kafka");
      keys.put("vireo.broker.kafka.bootstrap-servers", kafka);
    }
    if (token != null) {
      keys.put("vireo.client.auth.token", token);
      keys.put("vireo.wrappers", "auth");
    }
    if (tls || tlsCa != null || tlsCert != null) {
      keys.put("vireo.client.tls.enabled", "true");
    }
    put(keys, "vireo.client.tls.trust-certs", tlsCa);
    put(keys, "vireo.client.tls.cert-chain", tlsCert);
    put(keys, "vireo.client.tls.private-key", tlsKey);
    keys.putAll(settings);
    return keys;
  }

  Optional<String> address() {
    return Optional.ofNullable(address);
  }

  private static void put(Map<String, String> keys, String key, @Nullable String value) {
    if (value != null) {
      keys.put(key, value);
    }
  }

  /** Durations as Vireo writes them: {@code 500ms}, {@code 2s}, {@code 1m}. */
  static final class Durations implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      return Values.parseDuration("duration", value);
    }
  }
}
