package io.vireo.wrapper;

import java.util.function.UnaryOperator;

/**
 * Middleware: decorates any of the four paths, each a function to the same function. The first
 * wrapper given to a service is the outermost.
 *
 * <pre>{@code
 * Wrapper tenant = Wrapper.client(next -> (call, requests) ->
 *     next.apply(call.withHeader("x-tenant", "acme"), requests));
 * }</pre>
 */
public interface Wrapper {
  /** Around each served call, after decoding and before the handler. */
  default CallFunction server(CallFunction next) {
    return next;
  }

  /** Around each outgoing call, before the instance is selected. */
  default CallFunction client(CallFunction next) {
    return next;
  }

  /** Around each publish, before encoding. */
  default PublishFunction publisher(PublishFunction next) {
    return next;
  }

  /** Around each received event, after decoding and before the handler. */
  default EventFunction subscriber(EventFunction next) {
    return next;
  }

  static Wrapper server(UnaryOperator<CallFunction> decorator) {
    return new Wrapper() {
      @Override
      public CallFunction server(CallFunction next) {
        return decorator.apply(next);
      }
    };
  }

  static Wrapper client(UnaryOperator<CallFunction> decorator) {
    return new Wrapper() {
      @Override
      public CallFunction client(CallFunction next) {
        return decorator.apply(next);
      }
    };
  }

  static Wrapper publisher(UnaryOperator<PublishFunction> decorator) {
    return new Wrapper() {
      @Override
      public PublishFunction publisher(PublishFunction next) {
        return decorator.apply(next);
      }
    };
  }

  static Wrapper subscriber(UnaryOperator<EventFunction> decorator) {
    return new Wrapper() {
      @Override
      public EventFunction subscriber(EventFunction next) {
        return decorator.apply(next);
      }
    };
  }
}
