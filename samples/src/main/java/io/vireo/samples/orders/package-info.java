/**
 * The orders flow, with no HTTP: {@code orders} serves PlaceOrder and publishes {@code
 * order.placed}; {@code inventory} (queue group {@code inventory}: its instances share the work)
 * reserves stock and publishes {@code stock.reserved}; {@code notifier} hears both (fan-out: it
 * gets every {@code order.placed} that inventory gets).
 */
@NullMarked
package io.vireo.samples.orders;

import org.jspecify.annotations.NullMarked;
