package io.deeplakelock.agent;

import io.deeplakelock.bridge.LockBridge;
import net.bytebuddy.asm.Advice;

/**
 * {@link GuardAdvice} for a rule whose expressions read at most one value of the call: it passes
 * that value ({@link GuardInput}: the receiver, one argument, or null) instead of the receiver and
 * an array of every argument, so the guarded call allocates nothing of its own.
 *
 * <p>The same rules as {@link GuardAdvice}, whose exit advice it is woven with: inlined, JDK types
 * and the bridge only, no suppression on enter (fail closed).
 */
final class InputGuardAdvice {

  private InputGuardAdvice() {}

  @Advice.OnMethodEnter
  static AutoCloseable enter(
      @RuleId int ruleId,
      @Advice.Origin Class<?> origin,
      @Advice.Origin("#m") String method,
      @GuardInput Object input) {
    return LockBridge.enter(ruleId, origin, method, input);
  }
  // The exit advice is GuardAdvice.exit (GuardTransformer weaves the two together).
}
