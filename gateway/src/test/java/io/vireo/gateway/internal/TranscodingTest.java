package io.vireo.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.util.JsonFormat;
import io.netty.handler.codec.http.HttpMethod;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.gateway.test.Book;
import io.vireo.gateway.test.GetBookRequest;
import io.vireo.gateway.test.LibraryOuterClass;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** JSON to protobuf and back, and google.api.http bindings, on the descriptors of a test proto. */
class TranscodingTest {
  private final Transcoder transcoder =
      new Transcoder(
          JsonFormat.TypeRegistry.newBuilder()
              .add(LibraryOuterClass.getDescriptor().getMessageTypes())
              .build());

  private static MethodDescriptor method(String name) {
    return LibraryOuterClass.getDescriptor().findServiceByName("Library").findMethodByName(name);
  }

  @Test
  void parsesAndPrintsTheProto3JsonMapping() {
    DynamicMessage book =
        transcoder.parse(
            Book.getDescriptor(),
            "{\"name\":\"b1\",\"pages\":12}".getBytes(StandardCharsets.UTF_8));
    assertThat(book.toByteArray())
        .isEqualTo(Book.newBuilder().setName("b1").setPages(12).build().toByteArray());
    assertThat(
            new String(
                transcoder.print(Book.getDescriptor(), book.toByteArray()), StandardCharsets.UTF_8))
        .isEqualTo("{\"name\":\"b1\",\"title\":\"\",\"pages\":12}");
  }

  @Test
  void anUnknownFieldOrMalformedJsonIsInvalidArgumentNamingIt() {
    assertThatThrownBy(
            () ->
                transcoder.parse(
                    Book.getDescriptor(), "{\"nmae\":\"x\"}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOfSatisfying(
            VireoException.class, e -> assertThat(e.status()).isEqualTo(Status.INVALID_ARGUMENT))
        .hasMessageContaining("nmae");
    assertThatThrownBy(
            () ->
                transcoder.parse(
                    Book.getDescriptor(), "{\"name\":".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOfSatisfying(
            VireoException.class, e -> assertThat(e.status()).isEqualTo(Status.INVALID_ARGUMENT));
  }

  @Test
  void bindsPathVariablesAndQueryParameters() {
    List<HttpBinding> bindings = HttpBinding.of("library", method("GetBook"));
    assertThat(bindings)
        .singleElement()
        .satisfies(b -> assertThat(b.httpMethod()).isEqualTo(HttpMethod.GET));
    HttpBinding binding = bindings.get(0);
    List<String[]> values = binding.template().match("/v1/shelves/s1/books/b%202").orElseThrow();
    DynamicMessage request =
        binding.request(
            transcoder,
            new byte[0],
            values,
            Map.of("view", List.of("FULL"), "limit", List.of("5")));
    assertThat(request.toByteArray())
        .isEqualTo(
            GetBookRequest.newBuilder()
                .setShelf("s1")
                .setBook("b 2")
                .setView("FULL")
                .setLimit(5)
                .build()
                .toByteArray());
    assertThat(binding.template().match("/v1/shelves/s1/books")).isEmpty();
    assertThatThrownBy(
            () ->
                binding.request(transcoder, new byte[0], values, Map.of("limit", List.of("many"))))
        .hasMessageContaining("limit")
        .hasMessageContaining("expected: a number");
  }

  @Test
  void bindsABodyFieldAndAdditionalBindingsWithSegmentTemplates() {
    List<HttpBinding> bindings = HttpBinding.of("library", method("CreateBook"));
    assertThat(bindings).hasSize(2);
    HttpBinding put = bindings.get(1);
    assertThat(put.httpMethod()).isEqualTo(HttpMethod.PUT);
    List<String[]> values = put.template().match("/v1/shelves/s9/books").orElseThrow();
    DynamicMessage request =
        put.request(
            transcoder, "{\"title\":\"T\"}".getBytes(StandardCharsets.UTF_8), values, Map.of());
    assertThat(request.toString()).contains("shelf: \"shelves/s9\"").contains("title: \"T\"");
  }

  @Test
  void templatesWithWildcardsAndVerbs() {
    HttpTemplate template = HttpTemplate.parse("/v1/{name=projects/*/items/**}:publish");
    assertThat(template.match("/v1/projects/p/items/a/b:publish").orElseThrow().get(0))
        .containsExactly("name", "projects/p/items/a/b");
    assertThat(template.match("/v1/projects/p/items/a/b")).isEmpty();
    assertThat(HttpTemplate.parse("/v1/*/x").match("/v1/any/x")).isPresent();
  }
}
