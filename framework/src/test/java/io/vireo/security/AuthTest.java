package io.vireo.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.vireo.Call;
import io.vireo.CallOptions;
import io.vireo.Headers;
import io.vireo.RpcService;
import io.vireo.Service;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.broker.memory.MemoryBroker;
import io.vireo.registry.memory.MemoryRegistry;
import io.vireo.wrapper.Wrapper;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.test.StepVerifier;

class AuthTest {
  static final String ISSUER = "https://login.vireo.test/";

  record Req(String name) {}

  record Reply(String message) {}

  @RpcService("vireo.test.Secure")
  public interface Secure {
    Mono<Reply> whoAmI(Req request);

    Mono<Reply> delete(Req request);
  }

  static final class SecureImpl implements Secure {
    @Override
    public Mono<Reply> whoAmI(Req request) {
      return Principal.current()
          .zipWith(
              Call.current(),
              (p, call) ->
                  new Reply(
                      p.subject()
                          + " "
                          + new TreeSet<>(p.roles())
                          + " token-visible="
                          + call.headers().get(Headers.AUTHORIZATION).isPresent()))
          .defaultIfEmpty(new Reply("nobody"));
    }

    @Override
    public Mono<Reply> delete(Req request) {
      return Principal.current().map(p -> new Reply("deleted by " + p.subject()));
    }
  }

  static KeyPair keys;
  static KeyPair otherKeys;

  final MemoryRegistry registry = MemoryRegistry.newStore();
  final MemoryBroker broker = MemoryBroker.newStore(100);
  final List<Service> services = new ArrayList<>();

  @BeforeAll
  static void keys() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    keys = generator.generateKeyPair();
    otherKeys = generator.generateKeyPair();
  }

  @AfterEach
  void stop() {
    services.forEach(Service::stop);
  }

  Service start(Service.Builder builder) {
    Service service = builder.build().start();
    services.add(service);
    return service;
  }

  Service.Builder embedded(String name) {
    return Service.builder(name)
        .registry(registry.handle())
        .broker(broker.handle())
        .set("vireo.transport", "memory")
        .set("vireo.codec", "json");
  }

  static String jwt(KeyPair pair, String kid, JWTClaimsSet.Builder claims) {
    try {
      JWSHeader.Builder header = new JWSHeader.Builder(JWSAlgorithm.RS256);
      if (!kid.isEmpty()) {
        header.keyID(kid);
      }
      SignedJWT jwt = new SignedJWT(header.build(), claims.build());
      jwt.sign(new RSASSASigner((RSAPrivateKey) pair.getPrivate()));
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new AssertionError(e);
    }
  }

  static JWTClaimsSet.Builder claims(String subject, String... roles) {
    return new JWTClaimsSet.Builder()
        .subject(subject)
        .issuer(ISSUER)
        .audience("secure")
        .expirationTime(Date.from(Instant.now().plusSeconds(300)))
        .claim("roles", List.of(roles));
  }

  Secure serverWithJwt(JwtVerifier.Builder verifier) {
    start(
        embedded("secure")
            .handle(Secure.class, new SecureImpl())
            .wrap(Auth.server(verifier.build()).requireRoles("Delete", "admin").build()));
    return start(embedded("caller")).client("secure", Secure.class);
  }

  Secure serverWithJwt() {
    return serverWithJwt(
        JwtVerifier.builder().issuer(ISSUER).audience("secure").publicKey(keys.getPublic()));
  }

  static <T> Mono<T> withToken(Mono<T> call, String token) {
    return call.contextWrite(CallOptions.header(Headers.AUTHORIZATION, "Bearer " + token));
  }

  static void assertFails(Mono<?> call, Status status, String messagePart) {
    StepVerifier.create(call)
        .expectErrorSatisfies(
            e -> {
              assertThat(e).isInstanceOf(VireoException.class);
              assertThat(((VireoException) e).status()).isEqualTo(status);
              assertThat(e.getMessage()).contains(messagePart);
            })
        .verify(Duration.ofSeconds(10));
  }

  @Test
  void callWithoutTokenIsUnauthenticated() {
    Secure secure = serverWithJwt();
    assertFails(secure.whoAmI(new Req("x")), Status.UNAUTHENTICATED, "missing bearer token");
  }

  @Test
  void tokenWithBadSignatureIsUnauthenticated() {
    Secure secure = serverWithJwt();
    assertFails(
        withToken(secure.whoAmI(new Req("x")), jwt(otherKeys, "", claims("mallory", "admin"))),
        Status.UNAUTHENTICATED,
        "bad signature");
  }

  @Test
  void expiredTokenIsUnauthenticated() {
    Secure secure = serverWithJwt();
    String expired =
        jwt(keys, "", claims("ada").expirationTime(Date.from(Instant.now().minusSeconds(600))));
    assertFails(withToken(secure.whoAmI(new Req("x")), expired), Status.UNAUTHENTICATED, "expired");
  }

  @Test
  void expiryWithinClockSkewPasses() {
    Secure secure = serverWithJwt();
    String justExpired =
        jwt(keys, "", claims("ada").expirationTime(Date.from(Instant.now().minusSeconds(5))));
    StepVerifier.create(withToken(secure.whoAmI(new Req("x")), justExpired))
        .assertNext(reply -> assertThat(reply.message()).startsWith("ada"))
        .verifyComplete();
  }

  @Test
  void wrongIssuerOrAudienceIsUnauthenticated() {
    Secure secure = serverWithJwt();
    assertFails(
        withToken(
            secure.whoAmI(new Req("x")), jwt(keys, "", claims("ada").issuer("https://evil.test/"))),
        Status.UNAUTHENTICATED,
        "wrong issuer: https://evil.test/");
    assertFails(
        withToken(secure.whoAmI(new Req("x")), jwt(keys, "", claims("ada").audience("billing"))),
        Status.UNAUTHENTICATED,
        "wrong audience: [billing]");
  }

  @Test
  void garbageTokenIsUnauthenticated() {
    Secure secure = serverWithJwt();
    assertFails(
        withToken(secure.whoAmI(new Req("x")), "not-a-jwt"),
        Status.UNAUTHENTICATED,
        "not a signed JWT");
    assertFails(
        secure
            .whoAmI(new Req("x"))
            .contextWrite(CallOptions.header(Headers.AUTHORIZATION, "Basic YTpi")),
        Status.UNAUTHENTICATED,
        "not a bearer token");
  }

  @Test
  void validTokenWithoutRoleIsPermissionDenied() {
    Secure secure = serverWithJwt();
    assertFails(
        withToken(secure.delete(new Req("x")), jwt(keys, "", claims("bob", "reader"))),
        Status.PERMISSION_DENIED,
        "bob needs one of the roles [admin] (has [reader])");
  }

  @Test
  void validTokenPassesAndHandlerSeesItsSubjectButNotTheToken() {
    Secure secure = serverWithJwt();
    String token = jwt(keys, "", claims("ada", "admin", "reader"));
    StepVerifier.create(withToken(secure.whoAmI(new Req("x")), token))
        .expectNext(new Reply("ada [admin, reader] token-visible=false"))
        .verifyComplete();
    StepVerifier.create(withToken(secure.delete(new Req("x")), token))
        .expectNext(new Reply("deleted by ada"))
        .verifyComplete();
  }

  @Test
  void clientWrapperAttachesTokenFromSupplierOnEachCall() {
    start(
        embedded("secure")
            .handle(Secure.class, new SecureImpl())
            .wrap(Auth.server(JwtVerifier.builder().publicKey(keys.getPublic()).build()).build()));
    AtomicInteger fetched = new AtomicInteger();
    Wrapper bearer =
        Auth.client(
            () ->
                Mono.fromSupplier(() -> jwt(keys, "", claims("svc-" + fetched.incrementAndGet()))));
    Secure secure = start(embedded("caller").wrap(bearer)).client("secure", Secure.class);
    StepVerifier.create(secure.whoAmI(new Req("x")))
        .assertNext(r -> assertThat(r.message()).startsWith("svc-1 "))
        .verifyComplete();
    StepVerifier.create(secure.whoAmI(new Req("x")))
        .assertNext(r -> assertThat(r.message()).startsWith("svc-2 "))
        .verifyComplete();
  }

  @Test
  void cachedTokenSupplierFetchesOnce() {
    AtomicInteger fetched = new AtomicInteger();
    var supplier =
        Tokens.cached(
            () -> Mono.fromSupplier(() -> "t" + fetched.incrementAndGet()), Duration.ofMinutes(5));
    StepVerifier.create(supplier.get()).expectNext("t1").verifyComplete();
    StepVerifier.create(supplier.get()).expectNext("t1").verifyComplete();
    assertThat(fetched).hasValue(1);
  }

  @Test
  void jwksFileAndInlineJwksVerifyByKeyId(@TempDir Path dir) throws Exception {
    RSAKey jwk = new RSAKey.Builder((RSAPublicKey) keys.getPublic()).keyID("k1").build();
    Path file = dir.resolve("jwks.json");
    Files.writeString(file, new JWKSet(jwk).toString());
    TokenVerifier fromFile = JwtVerifier.builder().jwksFile(file).build();
    TokenVerifier inline = JwtVerifier.builder().jwks(new JWKSet(jwk).toString()).build();
    for (TokenVerifier verifier : List.of(fromFile, inline)) {
      StepVerifier.create(verifier.verify(jwt(keys, "k1", claims("ada", "admin"))))
          .assertNext(p -> assertThat(p.subject()).isEqualTo("ada"))
          .verifyComplete();
      StepVerifier.create(verifier.verify(jwt(otherKeys, "k2", claims("ada"))))
          .expectErrorSatisfies(
              e -> assertThat(e).hasMessageContaining("no key for alg RS256 and kid k2"))
          .verify();
    }
  }

  @Test
  void jwksUrlIsFetchedOnceThenAgainForAnUnknownKeyId() {
    RSAKey first = new RSAKey.Builder((RSAPublicKey) keys.getPublic()).keyID("k1").build();
    RSAKey second = new RSAKey.Builder((RSAPublicKey) otherKeys.getPublic()).keyID("k2").build();
    AtomicReference<String> published = new AtomicReference<>(new JWKSet(first).toString());
    AtomicInteger fetches = new AtomicInteger();
    DisposableServer http =
        HttpServer.create()
            .host("127.0.0.1")
            .port(0)
            .route(
                routes ->
                    routes.get(
                        "/jwks.json",
                        (request, response) -> {
                          fetches.incrementAndGet();
                          return response
                              .header("content-type", "application/json")
                              .sendString(Mono.just(published.get()));
                        }))
            .bindNow();
    try {
      TokenVerifier verifier =
          JwtVerifier.builder()
              .issuer(ISSUER)
              .jwksMinRefetch(Duration.ZERO)
              .jwksUrl(URI.create("http://127.0.0.1:" + http.port() + "/jwks.json"))
              .build();
      for (int i = 0; i < 3; i++) {
        StepVerifier.create(verifier.verify(jwt(keys, "k1", claims("ada"))))
            .assertNext(p -> assertThat(p.subject()).isEqualTo("ada"))
            .verifyComplete();
      }
      assertThat(fetches).hasValue(1);
      published.set(
          new JWKSet(List.of(first, second)).toString()); // the provider rotates in a new key
      StepVerifier.create(verifier.verify(jwt(otherKeys, "k2", claims("bob"))))
          .assertNext(p -> assertThat(p.subject()).isEqualTo("bob"))
          .verifyComplete();
      assertThat(fetches).hasValue(2);
    } finally {
      http.disposeNow();
    }
  }

  @Test
  void unreachableJwksUrlIsUnavailable() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    TokenVerifier verifier =
        JwtVerifier.builder()
            .jwksUrl(URI.create("http://127.0.0.1:" + closedPort + "/jwks.json"))
            .build();
    StepVerifier.create(verifier.verify(jwt(keys, "k1", claims("ada"))))
        .expectErrorSatisfies(
            e -> {
              assertThat(((VireoException) e).status()).isEqualTo(Status.UNAVAILABLE);
              assertThat(e)
                  .hasMessageContaining(
                      "cannot verify tokens: keys from http://127.0.0.1:" + closedPort);
            })
        .verify(Duration.ofSeconds(15));
  }

  @Test
  void rolesAndScopesFromNestedClaims() {
    TokenVerifier verifier =
        JwtVerifier.builder().publicKey(keys.getPublic()).rolesClaim("realm_access.roles").build();
    String token =
        jwt(
            keys,
            "",
            new JWTClaimsSet.Builder()
                .subject("ada")
                .expirationTime(Date.from(Instant.now().plusSeconds(60)))
                .claim("realm_access", Map.of("roles", List.of("ops")))
                .claim("scope", "read write"));
    StepVerifier.create(verifier.verify(token))
        .assertNext(
            p -> {
              assertThat(p.roles()).containsExactly("ops");
              assertThat(p.scopes()).containsExactlyInAnyOrder("read", "write");
              assertThat(p.claim("sub")).contains("ada");
            })
        .verifyComplete();
  }

  @Test
  void staticTokensAndEndpointRolesFromConfiguration() {
    start(
        embedded("secure")
            .handle(Secure.class, new SecureImpl())
            .set("vireo.wrappers", "auth")
            .set("vireo.server.auth.static.alice.token", "alice-secret")
            .set("vireo.server.auth.static.alice.roles", "admin")
            .set("vireo.server.auth.static.bob.token", "bob-secret")
            .set("vireo.server.auth.endpoints.Delete.roles", "admin"));
    Secure asAlice =
        start(
                embedded("alice")
                    .set("vireo.wrappers", "auth")
                    .set("vireo.client.auth.token", "alice-secret"))
            .client("secure", Secure.class);
    Secure asBob =
        start(
                embedded("bob")
                    .set("vireo.wrappers", "auth")
                    .set("vireo.client.auth.services.secure.token", "bob-secret"))
            .client("secure", Secure.class);
    Secure anonymous = start(embedded("anonymous")).client("secure", Secure.class);

    StepVerifier.create(asAlice.delete(new Req("x")))
        .expectNext(new Reply("deleted by alice"))
        .verifyComplete();
    assertFails(
        asBob.delete(new Req("x")), Status.PERMISSION_DENIED, "bob needs one of the roles [admin]");
    StepVerifier.create(asBob.whoAmI(new Req("x")))
        .expectNext(new Reply("bob [] token-visible=false"))
        .verifyComplete();
    assertFails(anonymous.whoAmI(new Req("x")), Status.UNAUTHENTICATED, "missing bearer token");
    assertFails(
        withToken(anonymous.whoAmI(new Req("x")), "guess"),
        Status.UNAUTHENTICATED,
        "unknown token");
  }

  @Test
  void authWithNothingConfiguredFailsAtStart() {
    assertThatThrownBy(
            () ->
                start(
                    embedded("secure")
                        .handle(Secure.class, new SecureImpl())
                        .set("vireo.wrappers", "auth")))
        .hasMessageContaining("auth: nothing configured");
  }

  @Test
  void jwtKeysMustBeGiven() {
    assertThatThrownBy(() -> JwtVerifier.builder().issuer(ISSUER).build())
        .hasMessageContaining("no key");
    assertThatThrownBy(() -> JwtVerifier.builder().secret("short"))
        .hasMessageContaining("at least 32 bytes");
  }
}
