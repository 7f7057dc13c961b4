package io.vireo.codegen;

import com.google.protobuf.compiler.PluginProtos.CodeGeneratorRequest;
import com.google.protobuf.compiler.PluginProtos.CodeGeneratorResponse;
import io.vireo.codegen.internal.Generator;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The protoc plugin's entry point: a {@code CodeGeneratorRequest} on standard input, a {@code
 * CodeGeneratorResponse} on standard output.
 *
 * <p>For a proto {@code service Greeter} in {@code java_package} {@code P} it writes {@code
 * P.Greeter} (the handler interface, annotated {@code @RpcService("<proto package>.Greeter")}),
 * {@code P.GreeterRoutes} (the service name and one {@code Route} per rpc) and {@code
 * P.GreeterClient} ({@code GreeterClient.of(service)}). Options come in the parameter string,
 * comma-separated: {@code suffix=Handler} (the interface becomes {@code GreeterHandler}), {@code
 * routes=false}, {@code client=false}. A bad option or a proto that cannot be mapped fails protoc
 * with a message naming the file, the service and what to change, and writes nothing.
 *
 * <pre>{@code
 * protoc --plugin=protoc-gen-vireo=<script running this class> --vireo_out=target/gen \
 *     --vireo_opt=suffix=Handler greeter.proto
 * }</pre>
 */
public final class ProtocPlugin {
  private ProtocPlugin() {}

  public static void main(String[] args) throws IOException {
    run(System.in, System.out);
  }

  /** Reads one request from {@code in} and writes its response to {@code out}. */
  public static void run(InputStream in, OutputStream out) throws IOException {
    CodeGeneratorRequest request = CodeGeneratorRequest.parseFrom(in);
    CodeGeneratorResponse response = generate(request);
    response.writeTo(out);
    out.flush();
  }

  /** The response to one request: the generated files, or only an error. */
  public static CodeGeneratorResponse generate(CodeGeneratorRequest request) {
    try {
      return Generator.generate(request);
    } catch (RuntimeException e) {
      // a bug of ours: still a protoc error that says where, not a stack trace and "status 1"
      return CodeGeneratorResponse.newBuilder()
          .setError(
              "vireo-protoc-plugin: internal error on "
                  + String.join(", ", request.getFileToGenerateList())
                  + ": "
                  + e
                  + " (please report it with the .proto)")
          .build();
    }
  }
}
