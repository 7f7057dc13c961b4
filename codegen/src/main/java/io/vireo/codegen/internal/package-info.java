/**
 * The plugin's implementation. Internal: it may change or be removed at any time; the generated
 * code and the parameter string are the contract.
 */
@NullMarked
package io.vireo.codegen.internal;

import org.jspecify.annotations.NullMarked;
