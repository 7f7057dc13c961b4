@NullMarked
package io.vireo.internal.security;

import org.jspecify.annotations.NullMarked;
