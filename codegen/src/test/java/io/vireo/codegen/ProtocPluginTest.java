package io.vireo.codegen;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The plugin through the real protoc: what it writes for calls.proto (four call kinds, two
 * services, imported and nested messages, Empty streams, idempotency, comments, deprecation) and
 * plain_service.proto (no java_package, no java_multiple_files), that it compiles under {@code
 * -Xlint:all -Werror}, and that a service built from it answers over RSocket and gRPC.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProtocPluginTest {
  private static final String[] GOOD = {
    "calls/calls.proto", "common/common.proto", "plain/plain_service.proto", "clash/names.proto"
  };
  private static final String CALLS = "io/vireo/codegen/it/calls/";

  private Path work;

  private Protoc protoc;
  private Protoc.Result generated;
  private Path classes;

  @BeforeAll
  void generateAndCompile(@TempDir Path dir) throws Exception {
    work = dir;
    protoc = new Protoc(work);
    Path vireoOut = work.resolve("vireo");
    Path javaOut = work.resolve("java");
    generated = protoc.run("", vireoOut, javaOut, GOOD);
    assertThat(generated.exitCode()).as(generated.output()).isZero();

    String classpath = System.getProperty("java.class.path");
    Path messages = work.resolve("messages");
    // protoc's own Java output is not ours to lint
    Javac.compile(List.of(javaOut), messages, classpath, List.of("-nowarn"));
    classes = work.resolve("classes");
    Javac.compile(
        List.of(vireoOut, Paths.get("src/test/resources/roundtrip")),
        classes,
        classpath + File.pathSeparator + messages,
        List.of("-Xlint:all", "-Werror"));
    Files.walk(messages)
        .filter(Files::isRegularFile)
        .forEach(p -> copy(p, classes.resolve(messages.relativize(p))));
  }

  @Test
  void writesTheInterfaceRoutesAndClientOfEveryService() {
    assertThat(generated.files().keySet())
        .containsExactly(
            CALLS + "Greeter.java",
            CALLS + "GreeterClient.java",
            CALLS + "GreeterRoutes.java",
            CALLS + "Retired.java",
            CALLS + "RetiredClient.java",
            CALLS + "RetiredRoutes.java",
            CALLS + "Ticker.java",
            CALLS + "TickerClient.java",
            CALLS + "TickerRoutes.java",
            "io/vireo/codegen/it/clash/Names.java",
            "io/vireo/codegen/it/clash/NamesClient.java",
            "io/vireo/codegen/it/clash/NamesRoutes.java",
            "vireo/test/plain/PlainService.java",
            "vireo/test/plain/PlainServiceClient.java",
            "vireo/test/plain/PlainServiceRoutes.java");
  }

  @Test
  void greeterMatchesTheGoldenFiles() throws IOException {
    for (String name :
        List.of(
            "Greeter.java",
            "GreeterRoutes.java",
            "GreeterClient.java",
            "Ticker.java",
            "Retired.java")) {
      String golden =
          Files.readString(Paths.get("src/test/resources/golden", name), StandardCharsets.UTF_8);
      assertThat(generated.files().get(CALLS + name)).as(name).isEqualTo(golden);
    }
    assertThat(generated.files().get("vireo/test/plain/PlainService.java"))
        .contains("package vireo.test.plain;")
        .contains("import vireo.test.plain.PlainServiceOuterClass.Text;")
        .contains("@RpcService(\"vireo.test.plain.PlainService\")")
        .contains("Flux<Text> shout(Flux<Text> requests);");
  }

  @Test
  void sameInputSameBytes() throws Exception {
    Protoc.Result again = protoc.run("", work.resolve("again"), null, GOOD);
    assertThat(again.exitCode()).as(again.output()).isZero();
    assertThat(again.files()).isEqualTo(generated.files());
  }

  @ParameterizedTest
  @ValueSource(strings = {"rsocket", "grpc"})
  @SuppressWarnings("unchecked")
  void aServiceBuiltFromTheGeneratedCodeAnswersEveryCallKind(String transport) throws Exception {
    try (URLClassLoader loader =
        new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader())) {
      Function<String, List<String>> roundTrip =
          (Function<String, List<String>>)
              loader
                  .loadClass("io.vireo.codegen.it.calls.RoundTrip")
                  .getConstructor()
                  .newInstance();
      assertThat(roundTrip.apply(transport))
          .containsExactly(
              "Hello, Ada",
              "[Hello #1, Ada, Hello #2, Ada, Hello #3, Ada]",
              "Hello, Ada, Grace, Linus",
              "[Hi, Ada, Hi, Grace, Hi, Linus]",
              "Ada Lovelace",
              "imported Ada",
              "[1, 2, 3]",
              "reset");
    }
  }

  @Test
  void optionsRenameTheInterfaceAndDropParts() throws Exception {
    Protoc.Result result =
        protoc.run(
            "suffix=Handler, routes=false,client=false",
            work.resolve("suffixed"),
            null,
            "plain/plain_service.proto");
    assertThat(result.exitCode()).as(result.output()).isZero();
    assertThat(result.files().keySet())
        .containsExactly("vireo/test/plain/PlainServiceHandler.java");
    assertThat(result.files().get("vireo/test/plain/PlainServiceHandler.java"))
        .contains("public interface PlainServiceHandler {")
        .contains("@RpcService(\"vireo.test.plain.PlainService\")")
        .doesNotContain("PlainServiceClient");
  }

  @Test
  void anUnknownOptionFailsProtocAndWritesNothing() throws Exception {
    Path out = work.resolve("unknown");
    Protoc.Result result = protoc.run("suffix=Handler,stubs=true", out, null, "calls/calls.proto");
    assertThat(result.exitCode()).isNotZero();
    assertThat(result.output())
        .contains("calls/calls.proto")
        .contains("unknown option 'stubs=true'")
        .contains("expected: suffix=");
    assertThat(result.files()).isEmpty();
  }

  @Test
  void aNameClashFailsProtocNamingTheFileTheServiceAndTheFixAndWritesNothing() throws Exception {
    Protoc.Result result = protoc.run("", work.resolve("clash"), null, "bad/collides.proto");
    assertThat(result.exitCode()).isNotZero();
    assertThat(result.output())
        .contains(
            "bad/collides.proto: service vireo.test.bad.Greeter: the client class io.vireo.codegen.it.bad.GreeterClient")
        .contains("(change: rename the service or that type")
        .contains("or pass the plugin option client=false)");
    assertThat(result.files()).as("not even the files of service Fine").isEmpty();
  }

  @Test
  void rpcsThatBecomeOneJavaMethodFailProtoc() throws Exception {
    Protoc.Result result = protoc.run("", work.resolve("twins"), null, "bad/twins.proto");
    assertThat(result.exitCode()).isNotZero();
    assertThat(result.output())
        .contains(
            "bad/twins.proto: service vireo.test.twins.Twins: rpcs Get and get both become the Java method get")
        .contains("rename one of them");
    assertThat(result.files()).isEmpty();
  }

  @Test
  void aBadOptionValueNamesTheOption() throws Exception {
    Protoc.Result result =
        protoc.run("routes=maybe", work.resolve("maybe"), null, "plain/plain_service.proto");
    assertThat(result.exitCode()).isNotZero();
    assertThat(result.output())
        .contains("plain/plain_service.proto")
        .contains("routes='maybe' (expected: routes=true or routes=false)");
  }

  private static void copy(Path from, Path to) {
    try {
      Files.createDirectories(to.getParent());
      Files.copy(from, to);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
