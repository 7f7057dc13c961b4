package io.vireo.internal.security;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import io.vireo.Status;
import io.vireo.VireoException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Where a JWT verifier's keys come from. {@link #keys(boolean)} with {@code refetch} asks a
 * refreshing source to load again (a token named a key id it does not hold).
 */
public interface JwksSource {
  Duration HTTP_TIMEOUT = Duration.ofSeconds(10);

  Mono<List<JWK>> keys(boolean refetch);

  static JwksSource of(PublicKey key) {
    JWK jwk;
    if (key instanceof RSAPublicKey rsa) {
      jwk = new RSAKey.Builder(rsa).build();
    } else if (key instanceof ECPublicKey ec) {
      jwk = new ECKey.Builder(Curve.forECParameterSpec(ec.getParams()), ec).build();
    } else {
      throw new IllegalArgumentException(
          "publicKey: " + key.getAlgorithm() + " (expected: an RSA or EC public key)");
    }
    List<JWK> keys = List.of(jwk);
    return refetch -> Mono.just(keys);
  }

  static JwksSource ofPem(String pem) {
    String base64 = pem.replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "").replaceAll("\\s", "");
    byte[] der;
    try {
      der = Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "publicKeyPem: not base64 (expected: -----BEGIN PUBLIC KEY----- ...)", e);
    }
    for (String algorithm : List.of("RSA", "EC")) {
      try {
        return of(KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der)));
      } catch (GeneralSecurityException e) {
        // try the next algorithm
      }
    }
    throw new IllegalArgumentException(
        "publicKeyPem: not an RSA or EC public key (expected: -----BEGIN PUBLIC KEY----- ...)");
  }

  static JwksSource ofSecret(String secret) {
    byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
    if (bytes.length < 32) {
      throw new IllegalArgumentException(
          "secret: " + bytes.length + " bytes (expected: at least 32 bytes for HS256)");
    }
    List<JWK> keys = List.of(new OctetSequenceKey.Builder(bytes).build());
    return refetch -> Mono.just(keys);
  }

  static JwksSource ofJson(String json) {
    List<JWK> keys = publicKeys(parse(json, "jwks"));
    return refetch -> Mono.just(keys);
  }

  static JwksSource ofFile(Path file, Duration refresh) {
    return new Refreshing(
        file.toString(),
        () ->
            Mono.fromCallable(() -> publicKeys(parse(Files.readString(file), file.toString())))
                .subscribeOn(Schedulers.boundedElastic()),
        refresh,
        refresh);
  }

  static JwksSource ofUrl(URI url, Duration refresh, Duration minRefetch) {
    HttpClient client =
        HttpClient.newBuilder()
            .connectTimeout(HTTP_TIMEOUT)
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();
    HttpRequest request =
        HttpRequest.newBuilder(url)
            .timeout(HTTP_TIMEOUT)
            .header("accept", "application/json")
            .GET()
            .build();
    // the JDK client is asynchronous and completes on its own executor, never on a Netty event loop
    return new Refreshing(
        url.toString(),
        () ->
            Mono.fromFuture(() -> client.sendAsync(request, HttpResponse.BodyHandlers.ofString()))
                .map(
                    response -> {
                      if (response.statusCode() != 200) {
                        throw new IllegalStateException("HTTP " + response.statusCode());
                      }
                      return publicKeys(parse(response.body(), url.toString()));
                    }),
        refresh,
        minRefetch);
  }

  /** Every key of every source, in order. */
  static JwksSource all(List<JwksSource> sources) {
    if (sources.size() == 1) {
      return sources.get(0);
    }
    return refetch ->
        Flux.fromIterable(sources)
            .concatMap(source -> source.keys(refetch))
            .collect(ArrayList<JWK>::new, List::addAll)
            .map(List::copyOf);
  }

  private static JWKSet parse(String json, String where) {
    try {
      return JWKSet.parse(json);
    } catch (ParseException e) {
      throw new IllegalArgumentException(
          where + ": not a JSON Web Key Set (" + e.getMessage() + ")", e);
    }
  }

  private static List<JWK> publicKeys(JWKSet set) {
    List<JWK> keys = new ArrayList<>();
    for (JWK key : set.getKeys()) {
      // a symmetric key in a JWKS would let anyone who reads the set sign tokens
      JWK publicKey = key.toPublicJWK();
      if (publicKey != null) {
        keys.add(publicKey);
      }
    }
    return List.copyOf(keys);
  }

  /**
   * Loads, keeps for {@code refresh}, loads again early on demand at most once per {@code
   * minRefetch}; a failed load is retried on the next token.
   */
  final class Refreshing implements JwksSource {
    private static final Logger log = LoggerFactory.getLogger(Refreshing.class);

    private final String where;
    private final Supplier<Mono<List<JWK>>> loader;
    private final Duration refresh;
    private final long minRefetchNanos;
    private final AtomicLong lastLoad = new AtomicLong(System.nanoTime());
    private volatile Mono<List<JWK>> current;

    Refreshing(
        String where, Supplier<Mono<List<JWK>>> loader, Duration refresh, Duration minRefetch) {
      this.where = where;
      this.loader = loader;
      this.refresh = refresh;
      this.minRefetchNanos = minRefetch.toNanos();
      this.current = load();
    }

    @Override
    public Mono<List<JWK>> keys(boolean refetch) {
      if (refetch) {
        long now = System.nanoTime();
        long last = lastLoad.get();
        if (now - last >= minRefetchNanos && lastLoad.compareAndSet(last, now)) {
          current = load();
        }
      }
      return current;
    }

    private Mono<List<JWK>> load() {
      return Mono.defer(loader)
          .doOnSubscribe(s -> lastLoad.set(System.nanoTime()))
          .doOnNext(keys -> log.debug("loaded {} keys from {}", keys.size(), where))
          .onErrorMap(
              e -> {
                log.warn("cannot load keys from {}: {}", where, e.toString());
                return new VireoException(
                    Status.UNAVAILABLE,
                    "cannot verify tokens: keys from " + where + " unavailable: " + e.getMessage(),
                    e);
              })
          .cache(keys -> refresh, error -> Duration.ZERO, () -> Duration.ZERO);
    }
  }
}
