@NullMarked
package io.vireo.testing.contract;

import org.jspecify.annotations.NullMarked;
