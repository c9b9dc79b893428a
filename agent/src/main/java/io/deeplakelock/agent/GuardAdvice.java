package io.deeplakelock.agent;

import io.deeplakelock.bridge.LockBridge;
import net.bytebuddy.asm.Advice;

/**
 * The code woven around every guarded method: take the lock before the body, release it after.
 *
 * <p>Inlined into application classes, so it may name only JDK types and the bootstrap bridge. The
 * enter advice does not suppress exceptions: a lock that cannot be taken throws to the caller and
 * the body never runs (fail closed). The exit advice runs however the body ends.
 */
final class GuardAdvice {

  private GuardAdvice() {}

  @Advice.OnMethodEnter
  static AutoCloseable enter(
      @RuleId int ruleId,
      @Advice.Origin Class<?> origin,
      @Advice.Origin("#m") String method,
      @Advice.This(optional = true) Object self,
      @Advice.AllArguments Object[] args) {
    return LockBridge.enter(ruleId, origin, method, self, args);
  }

  @Advice.OnMethodExit(onThrowable = Throwable.class)
  static void exit(@Advice.Enter AutoCloseable held, @Advice.Thrown Throwable thrown) {
    LockBridge.exit(held, thrown);
  }
}
