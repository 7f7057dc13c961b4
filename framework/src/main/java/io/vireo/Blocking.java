package io.vireo;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs a handler method (or every method of a handler interface) off the transport's event loop, on
 * a bounded scheduler for blocking work (Reactor's {@code boundedElastic}), so that it may call
 * blocking code (JDBC, a file, {@code Mono.block()}) without stalling the other calls of its
 * connection.
 *
 * <p>Without it a handler runs on the event-loop thread that read the request, which is the fastest
 * choice for handlers that only compose {@code Mono}s and {@code Flux}es. The same can be asked for
 * without the annotation, per endpoint, with {@code vireo.server.endpoints.<Method>.blocking=true}
 * (the method name, such as {@code SayHello}, or the full name, such as {@code
 * vireo.samples.greeter.Greeter.SayHello}).
 *
 * <pre>{@code
 * public interface Inventory {
 *   @Blocking
 *   Mono<Stock> stock(StockQuery query);   // may read from JDBC
 * }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface Blocking {}
