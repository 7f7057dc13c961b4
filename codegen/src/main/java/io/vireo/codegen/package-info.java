/**
 * The Vireo protoc plugin: {@link io.vireo.codegen.ProtocPlugin} reads a {@code
 * CodeGeneratorRequest} on standard input and writes, for each proto {@code service}, a Vireo
 * handler interface, a class of route constants and a typed client factory.
 */
@NullMarked
package io.vireo.codegen;

import org.jspecify.annotations.NullMarked;
