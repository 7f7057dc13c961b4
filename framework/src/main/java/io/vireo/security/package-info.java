@NullMarked
package io.vireo.security;

import org.jspecify.annotations.NullMarked;
