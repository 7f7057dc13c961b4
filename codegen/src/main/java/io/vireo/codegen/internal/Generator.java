package io.vireo.codegen.internal;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.MethodDescriptorProto;
import com.google.protobuf.DescriptorProtos.MethodOptions.IdempotencyLevel;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import com.google.protobuf.DescriptorProtos.SourceCodeInfo;
import com.google.protobuf.compiler.PluginProtos.CodeGeneratorRequest;
import com.google.protobuf.compiler.PluginProtos.CodeGeneratorResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Turns a request into a response. Every problem of every service is collected first; if there is
 * one, the response carries only the error (protoc then fails and writes nothing).
 */
public final class Generator {
  private static final Set<String> KEYWORDS =
      Set.of(
          "abstract",
          "assert",
          "boolean",
          "break",
          "byte",
          "case",
          "catch",
          "char",
          "class",
          "const",
          "continue",
          "default",
          "do",
          "double",
          "else",
          "enum",
          "extends",
          "final",
          "finally",
          "float",
          "for",
          "goto",
          "if",
          "implements",
          "import",
          "instanceof",
          "int",
          "interface",
          "long",
          "native",
          "new",
          "package",
          "private",
          "protected",
          "public",
          "return",
          "short",
          "static",
          "strictfp",
          "super",
          "switch",
          "synchronized",
          "this",
          "throw",
          "throws",
          "transient",
          "try",
          "void",
          "volatile",
          "while",
          "true",
          "false",
          "null",
          "_",
          "var",
          "yield",
          "record");

  private final TypeIndex index;
  private final Options options;
  private final List<String> errors = new ArrayList<>();
  private final Map<String, String> written = new HashMap<>();
  private final List<CodeGeneratorResponse.File> files = new ArrayList<>();

  private Generator(TypeIndex index, Options options) {
    this.index = index;
    this.options = options;
  }

  public static CodeGeneratorResponse generate(CodeGeneratorRequest request) {
    CodeGeneratorResponse.Builder response =
        CodeGeneratorResponse.newBuilder()
            .setSupportedFeatures(CodeGeneratorResponse.Feature.FEATURE_PROTO3_OPTIONAL_VALUE);
    Options options;
    try {
      options = Options.parse(request.getParameter());
    } catch (MappingException e) {
      return response
          .setError(
              "vireo-protoc-plugin: "
                  + String.join(", ", request.getFileToGenerateList())
                  + ": "
                  + e.getMessage())
          .build();
    }
    Map<String, FileDescriptorProto> byName = new LinkedHashMap<>();
    for (FileDescriptorProto file : request.getProtoFileList()) {
      byName.put(file.getName(), file);
    }
    Generator generator = new Generator(new TypeIndex(request.getProtoFileList()), options);
    for (String name : request.getFileToGenerateList()) {
      FileDescriptorProto file = byName.get(name);
      if (file == null) {
        generator.errors.add(name + ": not in the request's proto files");
        continue;
      }
      for (int i = 0; i < file.getServiceCount(); i++) {
        generator.service(file, i);
      }
    }
    if (!generator.errors.isEmpty()) {
      return response
          .setError("vireo-protoc-plugin:\n  " + String.join("\n  ", generator.errors))
          .build();
    }
    return response.addAllFile(generator.files).build();
  }

  private void service(FileDescriptorProto file, int serviceIndex) {
    ServiceDescriptorProto service = file.getService(serviceIndex);
    String javaPackage = TypeIndex.javaPackage(file);
    String fullName =
        file.getPackage().isEmpty()
            ? service.getName()
            : file.getPackage() + "." + service.getName();
    String where = file.getName() + ": service " + fullName + ": ";
    int before = errors.size();

    String iface = service.getName() + options.suffix();
    String routes = service.getName() + "Routes";
    String client = service.getName() + "Client";
    Map<String, String> own = new LinkedHashMap<>();
    own.put(iface, "the handler interface");
    if (options.routes()) {
      claim(own, routes, "the routes class", where);
    }
    if (options.client()) {
      claim(own, client, "the client class", where);
    }
    for (Map.Entry<String, String> name : own.entrySet()) {
      String qualified = javaPackage.isEmpty() ? name.getKey() : javaPackage + "." + name.getKey();
      String option =
          name.getKey().equals(iface)
              ? "pass the plugin option suffix=<Name>"
              : name.getKey().equals(routes)
                  ? "pass the plugin option routes=false"
                  : "pass the plugin option client=false";
      if (index.classesIn(javaPackage).contains(name.getKey())) {
        errors.add(
            where
                + name.getValue()
                + " "
                + qualified
                + " is also a class protoc's Java generator writes for "
                + index.ownerOf(javaPackage, name.getKey())
                + " (change: rename the service or that type, set java_outer_classname or java_multiple_files, or "
                + option
                + ")");
      }
      String previous = written.putIfAbsent(qualified, file.getName() + "'s service " + fullName);
      if (previous != null) {
        errors.add(
            where
                + name.getValue()
                + " "
                + qualified
                + " is also written for "
                + previous
                + " (change: rename one service, give the files different java_package options, or "
                + option
                + ")");
      }
    }

    Map<List<Integer>, SourceCodeInfo.Location> comments = new HashMap<>();
    for (SourceCodeInfo.Location location : file.getSourceCodeInfo().getLocationList()) {
      comments.putIfAbsent(location.getPathList(), location);
    }
    List<Rpc> rpcs = new ArrayList<>();
    Map<String, String> javaNames = new HashMap<>();
    Map<String, String> constants = new HashMap<>();
    constants.put("SERVICE", "the service name");
    for (int m = 0; m < service.getMethodCount(); m++) {
      MethodDescriptorProto method = service.getMethod(m);
      Rpc rpc =
          rpc(
              method,
              comments.get(List.of(6, serviceIndex, 2, m)),
              where,
              javaPackage,
              file.getPackage());
      if (rpc == null) {
        continue;
      }
      String other = javaNames.putIfAbsent(rpc.javaName, method.getName());
      if (other != null) {
        errors.add(
            where
                + "rpcs "
                + other
                + " and "
                + method.getName()
                + " both become the Java method "
                + rpc.javaName
                + " (change: rename one of them)");
      }
      if (options.routes()) {
        String taken = constants.putIfAbsent(rpc.constant, "rpc " + method.getName());
        if (taken != null) {
          errors.add(
              where
                  + "rpc "
                  + method.getName()
                  + " and "
                  + taken
                  + " both become the constant "
                  + routes
                  + "."
                  + rpc.constant
                  + " (change: rename the rpc, or pass the plugin option routes=false)");
        }
      }
      rpcs.add(rpc);
    }
    if (errors.size() > before) {
      return;
    }
    String comment = comment(comments.get(List.of(6, serviceIndex)));
    boolean deprecated = service.getOptions().getDeprecated() || file.getOptions().getDeprecated();
    Set<String> packageClasses = new TreeSet<>(index.classesIn(javaPackage));
    packageClasses.addAll(own.keySet());
    Names names =
        new Names(
            javaPackage,
            iface,
            routes,
            client,
            fullName,
            service.getName(),
            file.getName(),
            deprecated,
            comment);
    add(
        names,
        iface,
        Sources.handler(
            names, rpcs, new Imports(javaPackage, packageClasses, own.keySet()), options));
    if (options.routes()) {
      add(
          names,
          routes,
          Sources.routes(names, rpcs, new Imports(javaPackage, packageClasses, own.keySet())));
    }
    if (options.client()) {
      add(
          names,
          client,
          Sources.client(names, new Imports(javaPackage, packageClasses, own.keySet())));
    }
  }

  private void claim(Map<String, String> own, String name, String what, String where) {
    String previous = own.putIfAbsent(name, what);
    if (previous != null) {
      errors.add(
          where
              + what
              + " and "
              + previous
              + " are both named "
              + name
              + " (change: pass another suffix=<Name>, or turn that part off with routes=false or client=false)");
    }
  }

  private Rpc rpc(
      MethodDescriptorProto method,
      SourceCodeInfo.Location location,
      String where,
      String javaPackage,
      String protoPackage) {
    JavaType input;
    JavaType output;
    try {
      input = index.type(method.getInputType());
      output = index.type(method.getOutputType());
    } catch (MappingException e) {
      errors.add(where + "rpc " + method.getName() + ": " + e.getMessage());
      return null;
    }
    for (JavaType type : List.of(input, output)) {
      if (type.packageName().isEmpty() && !javaPackage.isEmpty()) {
        errors.add(
            where
                + "rpc "
                + method.getName()
                + " uses "
                + type.nestedName()
                + ", whose Java class is in the unnamed package, which "
                + javaPackage
                + " cannot import"
                + " (change: give that message's file a java_package or a package)");
        return null;
      }
    }
    String javaName =
        Character.toLowerCase(method.getName().charAt(0)) + method.getName().substring(1);
    if (KEYWORDS.contains(javaName)) {
      javaName = javaName + "_";
    }
    if (!Character.isJavaIdentifierStart(javaName.charAt(0))) {
      javaName = "_" + javaName;
    }
    boolean needsName =
        !(Character.toUpperCase(javaName.charAt(0)) + javaName.substring(1))
            .equals(method.getName());
    IdempotencyLevel level = method.getOptions().getIdempotencyLevel();
    boolean idempotent =
        level == IdempotencyLevel.IDEMPOTENT || level == IdempotencyLevel.NO_SIDE_EFFECTS;
    return new Rpc(
        method.getName(),
        javaName,
        needsName,
        constant(method.getName()),
        input,
        output,
        protoName(method.getInputType(), protoPackage),
        protoName(method.getOutputType(), protoPackage),
        method.getClientStreaming(),
        method.getServerStreaming(),
        idempotent,
        level,
        method.getOptions().getDeprecated(),
        comment(location));
  }

  /**
   * A type as the proto names it: {@code HelloRequest} in its own package, else {@code
   * pkg.Message}.
   */
  private static String protoName(String typeName, String protoPackage) {
    String name = typeName.startsWith(".") ? typeName.substring(1) : typeName;
    return !protoPackage.isEmpty() && name.startsWith(protoPackage + ".")
        ? name.substring(protoPackage.length() + 1)
        : name;
  }

  private void add(Names names, String className, String source) {
    String dir = names.javaPackage().isEmpty() ? "" : names.javaPackage().replace('.', '/') + "/";
    files.add(
        CodeGeneratorResponse.File.newBuilder()
            .setName(dir + className + ".java")
            .setContent(source)
            .build());
  }

  private static String comment(SourceCodeInfo.Location location) {
    if (location == null) {
      return "";
    }
    return location.hasLeadingComments()
        ? location.getLeadingComments()
        : location.getTrailingComments();
  }

  /** {@code SayHello} → {@code SAY_HELLO}, {@code GetHTTPStatus} → {@code GET_HTTP_STATUS}. */
  static String constant(String name) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (Character.isUpperCase(c) && i > 0) {
        char previous = name.charAt(i - 1);
        boolean nextLower = i + 1 < name.length() && Character.isLowerCase(name.charAt(i + 1));
        if (previous != '_'
            && (Character.isLowerCase(previous)
                || Character.isDigit(previous)
                || (Character.isUpperCase(previous) && nextLower))) {
          out.append('_');
        }
      }
      out.append(Character.toUpperCase(c));
    }
    String constant = out.toString().toUpperCase(Locale.ROOT);
    return Character.isJavaIdentifierStart(constant.charAt(0)) ? constant : "_" + constant;
  }

  /** What one service's files are called and say about themselves. */
  record Names(
      String javaPackage,
      String iface,
      String routes,
      String client,
      String serviceFullName,
      String serviceName,
      String fileName,
      boolean deprecated,
      String comment) {}

  /** One rpc, mapped. */
  record Rpc(
      String protoName,
      String javaName,
      boolean needsName,
      String constant,
      JavaType input,
      JavaType output,
      String inputName,
      String outputName,
      boolean clientStreaming,
      boolean serverStreaming,
      boolean idempotent,
      IdempotencyLevel level,
      boolean deprecated,
      String comment) {}
}
