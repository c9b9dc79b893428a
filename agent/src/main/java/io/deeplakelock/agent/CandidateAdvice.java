package io.deeplakelock.agent;

import io.deeplakelock.bridge.AuditBridge;
import net.bytebuddy.asm.Advice;

/**
 * Discovery's second pass: woven into the service methods that touched dataset files, so that the
 * files they touch next can be compared with their receiver and arguments. Never throws.
 */
final class CandidateAdvice {

  private CandidateAdvice() {}

  @Advice.OnMethodEnter
  static Object enter(
      @CandidateId int candidate,
      @Advice.This(optional = true) Object self,
      @Advice.AllArguments Object[] args) {
    return AuditBridge.enter(candidate, self, args);
  }

  @Advice.OnMethodExit(onThrowable = Throwable.class)
  static void exit(@Advice.Enter Object entered) {
    AuditBridge.leave(entered);
  }
}
