package io.vireo.codegen.internal;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Where protoc's Java generator puts each message of the request's files, by the same rules: {@code
 * java_package} (else the proto package), {@code java_multiple_files}, {@code java_outer_classname}
 * (else the file name in UpperCamelCase, plus {@code OuterClass} when that name is taken in the
 * file).
 */
final class TypeIndex {
  private final Map<String, JavaType> types = new HashMap<>();
  private final Map<String, Set<String>> classesByPackage = new HashMap<>();
  private final Map<String, String> ownerOfClass = new HashMap<>();

  TypeIndex(List<FileDescriptorProto> files) {
    for (FileDescriptorProto file : files) {
      add(file);
    }
  }

  /** The Java class of a proto type named as in a field or method ({@code .pkg.Message}). */
  JavaType type(String protoTypeName) {
    JavaType type = types.get(protoTypeName);
    if (type == null) {
      throw new MappingException(
          "type "
              + protoTypeName
              + " is not in the request (expected: every imported file to be given to protoc)");
    }
    return type;
  }

  /** The top-level classes protoc's Java generator writes in a package. */
  Set<String> classesIn(String javaPackage) {
    return classesByPackage.getOrDefault(javaPackage, Set.of());
  }

  /** The file whose Java output holds the top-level class {@code javaPackage.name}. */
  String ownerOf(String javaPackage, String name) {
    return ownerOfClass.getOrDefault(javaPackage + "/" + name, "?");
  }

  static String javaPackage(FileDescriptorProto file) {
    return file.getOptions().hasJavaPackage()
        ? file.getOptions().getJavaPackage()
        : file.getPackage();
  }

  static String outerClassName(FileDescriptorProto file) {
    if (file.getOptions().hasJavaOuterClassname()) {
      return file.getOptions().getJavaOuterClassname();
    }
    String name = file.getName();
    String base = name.substring(name.lastIndexOf('/') + 1);
    if (base.endsWith(".protodevel")) {
      base = base.substring(0, base.length() - ".protodevel".length());
    } else if (base.endsWith(".proto")) {
      base = base.substring(0, base.length() - ".proto".length());
    }
    String camel = underscoresToCamelCase(base);
    return declaresName(file, camel) ? camel + "OuterClass" : camel;
  }

  private void add(FileDescriptorProto file) {
    String javaPackage = javaPackage(file);
    boolean multiple = file.getOptions().getJavaMultipleFiles();
    boolean fileDeprecated = file.getOptions().getDeprecated();
    String outer = outerClassName(file);
    String protoPrefix = file.getPackage().isEmpty() ? "." : "." + file.getPackage() + ".";
    addClass(javaPackage, outer, file.getName());
    List<String> prefix = multiple ? List.of() : List.of(outer);
    for (DescriptorProto message : file.getMessageTypeList()) {
      addMessage(javaPackage, prefix, protoPrefix, message, fileDeprecated);
      if (multiple) {
        addClass(javaPackage, message.getName(), file.getName());
      }
    }
    if (multiple) {
      for (EnumDescriptorProto e : file.getEnumTypeList()) {
        addClass(javaPackage, e.getName(), file.getName());
      }
      if (file.getOptions().getJavaGenericServices()) {
        for (ServiceDescriptorProto service : file.getServiceList()) {
          addClass(javaPackage, service.getName(), file.getName() + " (java_generic_services)");
        }
      }
    }
  }

  private void addMessage(
      String javaPackage,
      List<String> enclosing,
      String protoPrefix,
      DescriptorProto message,
      boolean deprecated) {
    List<String> names = new ArrayList<>(enclosing);
    names.add(message.getName());
    boolean isDeprecated = deprecated || message.getOptions().getDeprecated();
    types.put(protoPrefix + message.getName(), new JavaType(javaPackage, names, isDeprecated));
    for (DescriptorProto nested : message.getNestedTypeList()) {
      addMessage(javaPackage, names, protoPrefix + message.getName() + ".", nested, isDeprecated);
    }
  }

  private void addClass(String javaPackage, String name, String fileName) {
    classesByPackage.computeIfAbsent(javaPackage, p -> new TreeSet<>()).add(name);
    ownerOfClass.putIfAbsent(javaPackage + "/" + name, fileName);
  }

  private static boolean declaresName(FileDescriptorProto file, String name) {
    for (EnumDescriptorProto e : file.getEnumTypeList()) {
      if (e.getName().equals(name)) {
        return true;
      }
    }
    for (ServiceDescriptorProto s : file.getServiceList()) {
      if (s.getName().equals(name)) {
        return true;
      }
    }
    for (DescriptorProto m : file.getMessageTypeList()) {
      if (messageDeclares(m, name)) {
        return true;
      }
    }
    return false;
  }

  private static boolean messageDeclares(DescriptorProto message, String name) {
    if (message.getName().equals(name)) {
      return true;
    }
    for (DescriptorProto nested : message.getNestedTypeList()) {
      if (messageDeclares(nested, name)) {
        return true;
      }
    }
    for (EnumDescriptorProto e : message.getEnumTypeList()) {
      if (e.getName().equals(name)) {
        return true;
      }
    }
    return false;
  }

  /** protoc's Java rule: letters after a non-letter are capitalised, non-alphanumerics dropped. */
  static String underscoresToCamelCase(String input) {
    StringBuilder out = new StringBuilder(input.length());
    boolean capNext = true;
    for (int i = 0; i < input.length(); i++) {
      char c = input.charAt(i);
      if (c >= 'a' && c <= 'z') {
        out.append(capNext ? (char) (c - 'a' + 'A') : c);
        capNext = false;
      } else if (c >= 'A' && c <= 'Z') {
        out.append(c);
        capNext = false;
      } else if (c >= '0' && c <= '9') {
        out.append(c);
        capNext = true;
      } else {
        capNext = true;
      }
    }
    return out.toString();
  }
}
